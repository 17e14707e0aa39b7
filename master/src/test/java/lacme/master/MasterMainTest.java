package lacme.master;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Option;

import java.lang.reflect.Field;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lacme --help} names every option MasterMain accepts and every command. */
class MasterMainTest {
    @Test
    void helpListsEveryOptionAndCommand() {
        for (Field f : MasterMain.class.getDeclaredFields()) {
            Option o = f.getAnnotation(Option.class);
            if (o != null) {
                for (String name : o.names()) {
                    assertTrue(MasterMain.HELP.matches("(?s).*(^|[\\s\\[,])" + name + "[\\s=\\],].*"),
                            name + " missing from --help");
                }
            }
        }
        for (String command : MasterMain.COMMANDS) {
            assertTrue(MasterMain.HELP.contains(command), command + " missing from --help");
        }
        assertTrue(MasterMain.HELP.startsWith(
                "Usage: lacme [--config=FILE] [--socket=PATH] [OPTIONS] COMMAND [ARGUMENT ..]\n"));
    }
}
