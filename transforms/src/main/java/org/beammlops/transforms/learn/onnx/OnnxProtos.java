package org.beammlops.transforms.learn.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Small constructors for the ONNX protobuf messages the graph builder repeats. */
final class OnnxProtos {
  /** The symbolic name of the batch dimension in declared inputs and outputs. */
  static final String BATCH_DIM = "N";

  private OnnxProtos() {}

  /** A float tensor of the given shape, values in row-major order. */
  static TensorProto floatTensor(String name, long[] shape, float... values) {
    TensorProto.Builder tensor =
        TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber());
    for (long dim : shape) {
      tensor.addDims(dim);
    }
    for (float value : values) {
      tensor.addFloatData(value);
    }
    return tensor.build();
  }

  /** A float matrix value [N, columns], N left dynamic. */
  static ValueInfoProto batchOfRows(String name, int columns) {
    TensorShapeProto shape =
        TensorShapeProto.newBuilder()
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH_DIM))
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(columns))
            .build();
    TypeProto type =
        TypeProto.newBuilder()
            .setTensorType(
                TypeProto.Tensor.newBuilder()
                    .setElemType(TensorProto.DataType.FLOAT.getNumber())
                    .setShape(shape))
            .build();
    return ValueInfoProto.newBuilder().setName(name).setType(type).build();
  }

  static AttributeProto intAttribute(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
  }

  static AttributeProto ints(String name, List<Long> values) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeType.INTS)
        .addAllInts(values)
        .build();
  }

  static AttributeProto floats(String name, List<Float> values) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeType.FLOATS)
        .addAllFloats(values)
        .build();
  }

  static AttributeProto string(String name, String value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeType.STRING)
        .setS(utf8(value))
        .build();
  }

  static AttributeProto strings(String name, List<String> values) {
    AttributeProto.Builder attribute =
        AttributeProto.newBuilder().setName(name).setType(AttributeType.STRINGS);
    values.forEach(value -> attribute.addStrings(utf8(value)));
    return attribute.build();
  }

  private static ByteString utf8(String value) {
    return ByteString.copyFrom(value, StandardCharsets.UTF_8);
  }
}
