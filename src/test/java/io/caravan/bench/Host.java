package io.caravan.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The processor the benchmarks ran on, printed with their figures: the model's speed (and so both ratios) depends
 * on the processor far more than on the hub's code; nearly the same code gave an ingestion ratio of 0.73 on a
 * host that ran the model at 5 ms of CPU a chunk and 0.94 on one (AVX2, no AVX-512) that took 17 ms.
 */
final class Host {

    private Host() {
    }

    /** E.g. "AMD EPYC, AVX2, no AVX-512"; "unknown processor" where /proc/cpuinfo cannot be read. */
    static String processor() {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return "unknown processor";
        }
        String model = field(lines, "model name", "unknown processor");
        Set<String> flags = new HashSet<>(Arrays.asList(field(lines, "flags", "").split("\\s+")));
        return model + (flags.contains("avx2") ? ", AVX2" : ", no AVX2")
                + (flags.contains("avx512f") ? ", AVX-512" : ", no AVX-512")
                + (flags.contains("avx512_vnni") || flags.contains("avx_vnni") ? " with VNNI" : "");
    }

    private static String field(List<String> lines, String name, String otherwise) {
        return lines.stream().filter(line -> line.startsWith(name))
                .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst().orElse(otherwise);
    }
}
