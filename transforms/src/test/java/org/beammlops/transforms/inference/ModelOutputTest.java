package org.beammlops.transforms.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class ModelOutputTest {
  @Test
  void aBinaryClassifierDecidesAtItsOwnThreshold() {
    assertEquals(1, ModelOutput.binary(0.31, 0.3).predictedClass());
    assertEquals(0, ModelOutput.binary(0.3, 0.3).predictedClass());
    assertEquals(0, ModelOutput.binary(0.49, 0.5).predictedClass());
    assertEquals(0.31, ModelOutput.binary(0.31, 0.3).value());
  }

  @Test
  void aMultiClassClassifierPredictsItsMostProbableClass() {
    ModelOutput out = ModelOutput.classes(new double[] {0.2, 0.5, 0.3});
    assertEquals(1, out.predictedClass());
    assertEquals(0, ModelOutput.classes(new double[] {0.4, 0.4, 0.2}).predictedClass());
    assertEquals(-1, ModelOutput.value(12.5).predictedClass());
  }

  @Test
  void theCoderRoundTripsEveryKind() throws Exception {
    for (ModelOutput out :
        new ModelOutput[] {
          ModelOutput.value(-3.25),
          ModelOutput.binary(0.7, 0.42),
          ModelOutput.classes(new double[] {0.1, 0.2, 0.7})
        }) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ModelOutput.coder().encode(out, bytes);
      ModelOutput back = ModelOutput.coder().decode(new ByteArrayInputStream(bytes.toByteArray()));
      assertEquals(out, back);
      assertArrayEquals(out.values(), back.values());
    }
  }
}
