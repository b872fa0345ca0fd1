package org.beammlops.pipelines.common;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.commons.lang3.exception.ExceptionUtils;
import org.beammlops.transforms.files.InputFiles;

/**
 * The shared command-line behaviour of pipeline commands: Beam options in, the counters as the last
 * stdout line out, and one clear error line (exit 2) instead of a stack trace for bad input.
 */
public final class Commands {
  /** Exit code for a usage or input error the user can fix. */
  public static final int USAGE_ERROR = 2;

  private Commands() {}

  /** Parses Beam options, runs, prints the report; exits non-zero with a clear line on error. */
  public static <O extends PipelineOptions> void runPipeline(
      String[] args, Class<O> optionsClass, Function<O, Map<String, Object>> run) {
    int code = runPipelineForExitCode(args, optionsClass, OptionPresets.NONE, run);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Parses Beam options, applies {@code presets} to what the user did not give, runs, prints the
   * report, and returns the exit code: 0, {@link #USAGE_ERROR} for bad input, 1 for a failure.
   */
  public static <O extends PipelineOptions> int runPipelineForExitCode(
      String[] args,
      Class<O> optionsClass,
      OptionPresets presets,
      Function<O, Map<String, Object>> run) {
    try {
      O options = parse(args, optionsClass, presets);
      PipelineReports.print(run.apply(options));
      return 0;
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return USAGE_ERROR;
    } catch (RuntimeException e) {
      System.err.println("error: " + rootMessage(e));
      if (System.getenv("MLOPS_DEBUG") != null) {
        e.printStackTrace();
      }
      return 1;
    }
  }

  /**
   * The command's options from {@code args}, validated, with {@code presets} applied; an option
   * value Beam cannot parse is an error that names the option as well as the allowed values.
   */
  public static <O extends PipelineOptions> O parse(
      String[] args, Class<O> optionsClass, OptionPresets presets) {
    PipelineOptionsFactory.register(optionsClass);
    checkValuesAfterEquals(args);
    O options;
    try {
      options = PipelineOptionsFactory.fromArgs(args).withValidation().as(optionsClass);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          withSuggestion(withOptionName(e.getMessage(), args), optionsClass), e);
    }
    presets.apply(options, given(args));
    FileSystems.setDefaultPipelineOptions(options);
    return options;
  }

  /** A value given as a word of its own ({@code --config job.yaml}) is an error that says how. */
  private static void checkValuesAfterEquals(String[] args) {
    for (int i = 1; i < args.length; i++) {
      if (!args[i].startsWith("--") && args[i - 1].startsWith("--") && !args[i - 1].contains("=")) {
        throw new IllegalArgumentException(
            "'"
                + args[i - 1]
                + " "
                + args[i]
                + "': an option takes its value after '=': write "
                + args[i - 1]
                + "="
                + args[i]);
      }
    }
  }

  /** The names of the options on a command line ({@code --name=value} or {@code --name}). */
  public static Set<String> given(String[] args) {
    Set<String> names = new LinkedHashSet<>();
    for (String arg : args) {
      if (arg.startsWith("--")) {
        int eq = arg.indexOf('=');
        names.add(eq < 0 ? arg.substring(2) : arg.substring(2, eq));
      }
    }
    return names;
  }

  /**
   * Beam's message for a value it cannot convert names the value and the allowed ones but not the
   * option: add the argument that carried it.
   */
  static String withOptionName(String message, String[] args) {
    Matcher m = UNCONVERTIBLE.matcher(String.valueOf(message));
    if (m.find()) {
      for (String arg : args) {
        if (arg.startsWith("--") && arg.endsWith("=" + m.group(1))) {
          return arg.substring(0, arg.indexOf('=')) + ": " + message.split("\n")[0];
        }
      }
    }
    return message;
  }

  /**
   * Beam's message for an unknown option names it; add the options whose names start with it (e.g.
   * {@code --watch} for {@code --watchPath}).
   */
  static String withSuggestion(String message, Class<? extends PipelineOptions> optionsClass) {
    Matcher m = UNKNOWN.matcher(String.valueOf(message));
    if (!m.find()) {
      return message;
    }
    String unknown = m.group(1);
    Set<String> like = new java.util.TreeSet<>();
    for (java.lang.reflect.Method method : optionsClass.getMethods()) {
      String name = method.getName();
      if (method.getParameterCount() == 0 && name.length() > 3 && name.startsWith("get")) {
        String property = Character.toLowerCase(name.charAt(3)) + name.substring(4);
        if (property.startsWith(unknown) && !property.equals(unknown)) {
          like.add("--" + property);
        }
      }
    }
    return like.isEmpty()
        ? message
        : message.split("\\n")[0] + " Did you mean " + String.join(" or ", like) + "?";
  }

  private static final Pattern UNKNOWN = Pattern.compile("missing a property named '([^']+)'");

  private static final Pattern UNCONVERTIBLE =
      Pattern.compile("Cannot deserialize value of type .* from String \"([^\"]*)\"");

  /** A clear error, before any work, when a file pattern matches no file. */
  public static void checkInputMatches(String pattern) {
    try {
      InputFiles.Matched matched = InputFiles.match(pattern);
      for (String skipped : matched.skipped()) {
        System.err.println("warning: --input=" + pattern + " skipped " + skipped);
      }
      if (matched.files().isEmpty()) {
        throw new IllegalArgumentException("No file matches --input=" + pattern);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot list --input=" + pattern + ": " + e.getMessage(), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = ExceptionUtils.getRootCause(e);
    return cause == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (cause: " + cause + ")";
  }
}
