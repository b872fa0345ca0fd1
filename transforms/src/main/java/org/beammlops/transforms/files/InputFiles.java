package org.beammlops.transforms.files;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Expands an input pattern to its files. Local patterns are walked here rather than by Beam's local
 * file system, whose walk follows symbolic links without end: this walk follows links but skips a
 * directory it is already inside (a link loop), stops at {@value #MAX_DEPTH} levels, and reports
 * what it skipped. Patterns with a scheme ({@code gs://}, {@code s3://}) go to Beam.
 */
public final class InputFiles {
  /** The deepest a local walk goes below the pattern's fixed prefix. */
  public static final int MAX_DEPTH = 32;

  private InputFiles() {}

  /** The files a pattern matches and the places the walk skipped, each with its reason. */
  public record Matched(List<MatchResult.Metadata> files, List<String> skipped) {}

  /** Expands {@code pattern}; an I/O error names the pattern. */
  public static Matched match(String pattern) throws IOException {
    if (pattern.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*") && !pattern.startsWith("file://")) {
      MatchResult result = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      return new Matched(
          result.status() == MatchResult.Status.OK ? result.metadata() : List.of(), List.of());
    }
    String local = pattern.startsWith("file://") ? pattern.substring("file://".length()) : pattern;
    Path absolute = Path.of(local).toAbsolutePath().normalize();
    Path base = fixedPrefix(absolute);
    List<MatchResult.Metadata> files = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    if (base.equals(absolute)) {
      if (Files.isRegularFile(absolute)) {
        files.add(metadata(absolute, Files.size(absolute), Files.getLastModifiedTime(absolute)));
      }
      return new Matched(files, skipped);
    }
    if (!Files.isDirectory(base)) {
      return new Matched(files, skipped);
    }
    PathMatcher matcher = base.getFileSystem().getPathMatcher("glob:" + absolute);
    Files.walkFileTree(
        base,
        EnumSet.of(FileVisitOption.FOLLOW_LINKS),
        MAX_DEPTH,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile() && matcher.matches(file)) {
              files.add(metadata(file, attrs.size(), attrs.lastModifiedTime()));
            } else if (attrs.isDirectory()) {
              skipped.add(file + ": deeper than " + MAX_DEPTH + " levels");
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            skipped.add(
                file
                    + (e instanceof FileSystemLoopException
                        ? ": a symbolic link back into a directory it is in (a loop)"
                        : ": " + e));
            return FileVisitResult.CONTINUE;
          }
        });
    files.sort(java.util.Comparator.comparing(m -> m.resourceId().toString()));
    return new Matched(files, skipped);
  }

  /** The longest leading part of the path without a glob character. */
  private static Path fixedPrefix(Path path) {
    Path prefix = path.getRoot();
    for (Path part : path) {
      if (part.toString().matches(".*[*?\\[\\]{}].*")) {
        return prefix;
      }
      prefix = prefix.resolve(part);
    }
    return prefix;
  }

  private static MatchResult.Metadata metadata(
      Path file, long size, java.nio.file.attribute.FileTime modified) {
    return MatchResult.Metadata.builder()
        .setResourceId(FileSystems.matchNewResource(file.toString(), false))
        .setSizeBytes(size)
        .setIsReadSeekEfficient(true)
        .setLastModifiedMillis(modified.toMillis())
        .build();
  }
}
