package io.caravan;

import io.caravan.usage.UsageCommandLine;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Caravan: a multi-tenant RAG integration hub. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CaravanApplication {

    public static void main(String[] args) {
        if (isCommand(args)) {
            System.exit(runCommand(args));
        }
        SpringApplication.run(CaravanApplication.class, args);
    }

    /** {@code caravan.jar usage ...} runs a command instead of the hub. */
    static boolean isCommand(String[] args) {
        return args.length > 0 && "usage".equals(args[0]);
    }

    /** Runs the command named by {@code args[0]} (no web server, no Camel) and returns its exit code. */
    static int runCommand(String[] args) {
        return UsageCommandLine.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err);
    }
}
