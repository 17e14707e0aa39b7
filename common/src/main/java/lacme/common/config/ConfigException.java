package lacme.common.config;

/** A configuration problem; the message is the one-line error shown to the user. */
public class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
