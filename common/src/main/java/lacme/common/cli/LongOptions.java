package lacme.common.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import lacme.common.text.Sanitize;

/**
 * A small GNU/Getopt::Long-style command-line parser: {@code --name=value}, {@code --name value},
 * flags, aliases such as {@code -h}, short flags bundled ({@code -qh}), operands anywhere,
 * {@code --} ending the options.
 *
 * <p>Why not picocli: it costs each JVM ~0.1 s of CPU and ~170 classes at start-up (issue 12),
 * about the whole run of the challenge webserver, for the handful of options our programs have.
 * Names must match exactly (no abbreviations), a value option given twice is an error
 * unless {@link #lastWins} (a typo must not silently replace an earlier value), and every
 * error is one line naming the argument, meant for the caller to print with its exit status.
 */
public final class LongOptions {
    /** Canonical name of every accepted spelling (aliases map to their first name). */
    private final Map<String, String> names = new HashMap<>();
    /** Whether each canonical name takes a value, in declaration order. */
    private final Map<String, Boolean> takesValue = new LinkedHashMap<>();
    /** Value options that may be given again, each value kept ({@link #repeatable}). */
    private final Set<String> repeatable = new HashSet<>();
    /** How many operands are accepted. */
    private int maxOperands = Integer.MAX_VALUE;
    /** Whether a value option given again replaces the earlier value (Getopt::Long) or is an error. */
    private boolean lastWins;

    /** A command line that does not fit the declared options; its message is one line. */
    public static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        /** {@code message}: what is wrong, naming the argument. */
        public UsageException(String message) {
            super(message);
        }
    }

    /** Declares a flag (no value); the first name is the one {@link Parsed#has} is asked with. */
    public LongOptions flag(String name, String... aliases) {
        return declare(false, name, aliases);
    }

    /** Declares an option that takes a value ({@code --name=value} or {@code --name value}). */
    public LongOptions value(String name, String... aliases) {
        return declare(true, name, aliases);
    }

    /**
     * Declares an option that takes a value and may be given several times, each value kept in
     * order ({@link Parsed#values}), as a Getopt::Long {@code =s@} option such as lacme's
     * {@code --config-certs}.
     */
    public LongOptions repeatable(String name, String... aliases) {
        repeatable.add(name);
        return declare(true, name, aliases);
    }

    /** Every accepted spelling, names and aliases (so a test can check --help names them all). */
    public Set<String> spellings() {
        return Set.copyOf(names.keySet());
    }

    /** Accepts at most {@code max} operands (arguments that are not options). */
    public LongOptions operands(int max) {
        maxOperands = max;
        return this;
    }

    /** A value option given twice keeps the last value, as Perl's Getopt::Long does. */
    public LongOptions lastWins() {
        lastWins = true;
        return this;
    }

    private LongOptions declare(boolean value, String name, String... aliases) {
        if (!name.startsWith("-") || takesValue.putIfAbsent(name, value) != null) {
            throw new IllegalStateException("bad or duplicate option " + name);
        }
        names.put(name, name);
        for (String a : aliases) {
            if (!a.startsWith("-") || names.putIfAbsent(a, name) != null) {
                throw new IllegalStateException("bad or duplicate option " + a);
            }
        }
        return this;
    }

    /** Parses {@code args}; a {@link UsageException} says what does not fit. */
    public Parsed parse(String... args) {
        Map<String, String> values = new HashMap<>();
        Map<String, List<String>> lists = new HashMap<>();
        List<String> operands = new ArrayList<>();
        boolean options = true;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!options || arg.length() < 2 || !arg.startsWith("-")) {
                operands.add(arg); // "-" alone is an operand (stdin), as in Getopt::Long
                continue;
            }
            if (arg.equals("--")) {
                options = false;
                continue;
            }
            if (!arg.startsWith("--") && !names.containsKey(arg) && bundle(arg, values)) {
                continue;
            }
            int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
            String spelling = eq < 0 ? arg : arg.substring(0, eq);
            String name = names.get(spelling);
            if (name == null) {
                throw new UsageException("Unknown option: '" + shown(spelling) + "'");
            }
            String value;
            if (!takesValue.get(name)) {
                if (eq >= 0) {
                    throw new UsageException("Option " + spelling + " takes no value");
                }
                value = "";
            } else if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length && !names.containsKey(args[i + 1])) {
                value = args[++i];
            } else {
                throw new UsageException("Option " + spelling + " requires a value");
            }
            if (repeatable.contains(name)) {
                lists.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }
            if (values.put(name, value) != null && takesValue.get(name) && !lastWins
                    && !repeatable.contains(name)) {
                throw new UsageException("Option " + spelling + " given more than once");
            }
        }
        if (operands.size() > maxOperands) {
            throw new UsageException("Unmatched argument: '" + shown(operands.get(maxOperands)) + "'");
        }
        return new Parsed(values, lists, operands);
    }

    /** {@code -qh}: short flags bundled (POSIX); false when {@code arg} is not such a bundle. */
    private boolean bundle(String arg, Map<String, String> values) {
        for (int i = 1; i < arg.length(); i++) {
            String name = names.get("-" + arg.charAt(i));
            if (name == null || takesValue.get(name)) {
                return false;
            }
        }
        for (int i = 1; i < arg.length(); i++) {
            values.put(names.get("-" + arg.charAt(i)), "");
        }
        return true;
    }

    /** An argument as it may appear in a one-line message: no control characters, bounded. */
    public static String shown(String s) {
        return Sanitize.line(s, 80);
    }

    /** The result of {@link #parse}: options by canonical name, operands in order. */
    public static final class Parsed {
        private final Map<String, String> values;
        private final Map<String, List<String>> lists;
        private final List<String> operands;

        Parsed(Map<String, String> values, Map<String, List<String>> lists, List<String> operands) {
            this.values = values;
            this.lists = lists;
            this.operands = List.copyOf(operands);
        }

        /** Whether option {@code name} (its canonical name) was given. */
        public boolean has(String name) {
            return values.containsKey(name);
        }

        /** The value of option {@code name}, or {@code dflt} when it was not given. */
        public String value(String name, String dflt) {
            return values.getOrDefault(name, dflt);
        }

        /** Every value of {@link #repeatable} option {@code name}, in order; empty when not given. */
        public List<String> values(String name) {
            return List.copyOf(lists.getOrDefault(name, List.of()));
        }

        /** The value of option {@code name} as a decimal number, or {@code dflt} when not given. */
        public long number(String name, long dflt) {
            String v = values.get(name);
            if (v == null) {
                return dflt;
            }
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new UsageException("Invalid value for option " + name + ": '" + shown(v)
                        + "' is not a number");
            }
        }

        /** The arguments that are not options, in order (everything after {@code --}). */
        public List<String> operands() {
            return operands;
        }
    }
}
