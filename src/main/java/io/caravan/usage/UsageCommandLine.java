package io.caravan.usage;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.JdbcClientAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.JdbcTemplateAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import picocli.CommandLine;

/**
 * Runs {@code caravan usage ...} in a small Spring context of its own: the hub's configuration (data dir,
 * datasource, migrations) and the reports, but no web server, no Camel routes and none of the hub's start-up
 * work (queue recovery, release of budget reservations), which must never run beside a live hub.
 */
public final class UsageCommandLine {

    private UsageCommandLine() {
    }

    /** Runs the command and returns its exit code: 0 done, 1 failed, 2 bad arguments. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> springArgs = new ArrayList<>();
        List<String> commandArgs = new ArrayList<>();
        for (String arg : args) {
            (isSpringProperty(arg) ? springArgs : commandArgs).add(arg);
        }
        try (LazyContext context = new LazyContext(springArgs)) {
            CommandLine command = new CommandLine(new UsageCommand(
                    () -> context.get().getBean(UsageReports.class), Clock.systemUTC()));
            command.setCommandName("java -jar caravan.jar usage");
            command.setOut(writer(out));
            command.setErr(writer(err));
            command.setExecutionExceptionHandler((e, line, parsed) -> {
                line.getErr().println("caravan usage: " + rootMessage(e));
                return CommandLine.ExitCode.SOFTWARE;
            });
            return command.execute(commandArgs.toArray(String[]::new));
        }
    }

    /** {@code --some.dotted.key=value}: a hub setting for Spring, not an option of the command. */
    static boolean isSpringProperty(String arg) {
        if (!arg.startsWith("--")) {
            return false;
        }
        int equals = arg.indexOf('=');
        return (equals < 0 ? arg : arg.substring(0, equals)).indexOf('.') > 0;
    }

    /** Starts the command's context with the hub's configuration and the given Spring arguments. */
    static ConfigurableApplicationContext start(List<String> springArgs) {
        return new SpringApplicationBuilder(ReportContext.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                // stdout carries the table; the hub's logs stay out of it unless asked for
                .properties("logging.threshold.console=OFF")
                .run(springArgs.toArray(String[]::new));
    }

    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(new java.io.OutputStreamWriter(stream, Charset.defaultCharset()), true);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    /** The database, its migrations and the reports; not a component, so the hub's scan never picks it up. */
    @Import({UsageReports.class, io.caravan.tenancy.TenantTransactions.class})
    @ImportAutoConfiguration({DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
            JdbcClientAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
            FlywayAutoConfiguration.class})
    static class ReportContext {
    }

    /** Starts the context on first use only, so bad arguments and --help never touch the database. */
    private static final class LazyContext implements AutoCloseable {

        private final List<String> springArgs;
        private ConfigurableApplicationContext context;

        LazyContext(List<String> springArgs) {
            this.springArgs = springArgs;
        }

        ConfigurableApplicationContext get() {
            if (context == null) {
                context = start(springArgs);
            }
            return context;
        }

        @Override
        public void close() {
            if (context != null) {
                context.close();
            }
        }
    }
}
