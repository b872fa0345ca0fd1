package org.beammlops.pipelines.usecase;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.beammlops.pipelines.common.Commands;
import org.beammlops.schemas.usecase.DerivedFeature;
import org.beammlops.schemas.usecase.FieldSpec;
import org.beammlops.schemas.usecase.InvalidUseCaseException;
import org.beammlops.schemas.usecase.Task;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.schemas.usecase.UseCases;

/**
 * {@code ./mlops usecase check <dir|name>}: validates a schema and config before any data is read,
 * printing every problem at once (each naming its field, task or key), or else what each field
 * becomes: role, kind, type, source names and the tasks that use it. {@code ./mlops usecase list}
 * names the use cases that can be loaded.
 */
public final class UseCaseCommand {
  private UseCaseCommand() {}

  /** Runs the command; the exit code is 0 for a valid use case, 1 for one with problems. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 1 && args[0].equals("list")) {
      UseCases.known().forEach(out::println);
      return 0;
    }
    if (args.length != 2 || !args[0].equals("check")) {
      err.println("usage: ./mlops usecase check <directory with usecase.yaml | name> | list");
      return Commands.USAGE_ERROR;
    }
    UseCase useCase;
    try {
      Path dir = Path.of(args[1]);
      useCase = Files.exists(dir) ? UseCases.loadFrom(dir) : UseCases.load(args[1]);
    } catch (InvalidUseCaseException e) {
      err.println("error: " + e.getMessage());
      return 1;
    } catch (RuntimeException e) {
      err.println("error: " + e.getMessage());
      return Commands.USAGE_ERROR;
    }
    print(useCase, out);
    return 0;
  }

  /** What each field becomes, and each task. */
  static void print(UseCase useCase, PrintStream out) {
    out.printf(
        "use case '%s' is valid: %d fields, %d tasks, partitioning %s%s%n%n",
        useCase.name(),
        useCase.fields().size(),
        useCase.tasks().size(),
        useCase.partitioningConfigured()
            ? lower(useCase.partitioning())
            : "auto (each commit chooses from its dates' spread)",
        useCase.eventTime().isPresent() ? "" : " (no event time: ingest time stands in)");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"field", "role", "kind", "type", "source names", "tasks"});
    for (FieldSpec f : useCase.fields()) {
      rows.add(
          new String[] {
            f.name(),
            lower(f.role()),
            f.kind() == FieldSpec.Kind.NONE ? "-" : lower(f.kind()),
            lower(f.type()) + (f.nullable() ? "?" : ""),
            f.sourceNames().size() > 1
                ? String.join(", ", f.sourceNames().subList(1, f.sourceNames().size()))
                : "-",
            uses(useCase, f.name())
          });
    }
    for (DerivedFeature d : useCase.derivedFeatures()) {
      rows.add(
          new String[] {
            d.name(),
            "derived",
            "categorical",
            lower(d.function()) + "(" + d.from() + ")",
            "-",
            uses(useCase, d.name())
          });
    }
    table(rows, out);
    out.println();
    for (Task t : useCase.tasks()) {
      out.printf("task %s%n  features: %s%n", t, t.features());
      if (t.isBinary()) {
        out.printf(
            "  decision threshold: %s%n",
            t.fixedThreshold().map(String::valueOf).orElse("auto (F1-optimal, out of fold)"));
      }
    }
  }

  private static String uses(UseCase useCase, String name) {
    List<String> uses = new ArrayList<>();
    for (Task t : useCase.tasks()) {
      if (t.label().equals(name)) {
        uses.add(t.name() + " (label)");
      } else if (t.features().contains(name)) {
        uses.add(t.name());
      }
    }
    return uses.isEmpty() ? "-" : String.join(", ", uses);
  }

  private static void table(List<String[]> rows, PrintStream out) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(String.format("%-" + (widths[i] + 2) + "s", row[i]));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
