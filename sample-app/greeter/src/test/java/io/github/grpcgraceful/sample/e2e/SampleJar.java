package io.github.grpcgraceful.sample.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How the end-to-end tests launch the packaged sample: extracted with Spring Boot's own
 * tool and with a class data sharing archive from one training run, as Spring Boot's
 * documentation recommends for containers. A sample then starts in less than half the
 * time on a 2-core machine (about 5 s instead of 12 s), and the tests start some thirty.
 * The application is the same jar's; only how the JVM loads its classes differs. If the
 * extraction or the training fails, the tests run the packaged jar as it is, and say so
 * once. A module that starts its sample once or twice sets the system property
 * {@code sample.class-data-sharing} to {@code false}: the training costs more than it
 * saves there.
 */
final class SampleJar {

    private static List<String> launch;

    private SampleJar() {
    }

    /**
     * The JVM arguments that run the sample: the archive and {@code -jar} with the jar to
     * run.
     */
    static synchronized List<String> launchArguments() throws IOException, InterruptedException {
        if (launch == null) {
            launch = prepare(packagedJar());
        }
        return launch;
    }

    /**
     * The start of every java command the tests run: this JVM's java, with the JIT's
     * first tier only and the serial collector. On a 2-core build machine a sample then
     * starts in about half the time and CPU (the rolling restart starts six of them under
     * load); what is tested does not depend on compiled code's speed or the collector.
     */
    static List<String> java() {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    }

    /**
     * The jar named by the {@code sample.jar} system property, as {@code mvn package}
     * made it.
     */
    static Path packagedJar() {
        String jar = System.getProperty("sample.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("system property sample.jar must name the packaged sample, was " + jar);
        }
        return Path.of(jar);
    }

    private static List<String> prepare(Path packaged) throws IOException, InterruptedException {
        if (!Boolean.parseBoolean(System.getProperty("sample.class-data-sharing", "true"))) {
            return List.of("-jar", packaged.toString());
        }
        Path directory = Path.of("target", "e2e-launch");
        Path extracted = directory.resolve(packaged.getFileName());
        Path archive = directory.resolve("sample.jsa");
        Path log = directory.resolve("prepare.log");
        Path extractedFrom = directory.resolve("extracted-from.sha256");
        String digest = sha256(packaged);
        // Kept between runs while the jar is the same, told by its content: a
        // reproducible
        // build gives every jar the same modification time. Extracting and training take
        // about 15 s.
        if (!Files.isRegularFile(archive) || !Files.isRegularFile(extractedFrom)
                || !Files.readString(extractedFrom).equals(digest)) {
            Files.createDirectories(directory);
            Files.deleteIfExists(archive);
            Files.deleteIfExists(extractedFrom);
            boolean ready = run(log, "-Djarmode=tools", "-jar", packaged.toString(), "extract", "--force",
                    "--destination", directory.toString())
                    // Starts the application up to its context refresh, then exits,
                    // writing down the classes loaded.
                    && run(log, "-XX:ArchiveClassesAtExit=" + archive, "-Dspring.context.exit=onRefresh", "-jar",
                            extracted.toString(), "--server.port=0", "--server.address=127.0.0.1")
                    && Files.isRegularFile(archive);
            if (!ready) {
                System.err.println("SampleJar: could not extract the sample or train its class data sharing archive"
                        + " (see " + log.toAbsolutePath() + "): running the packaged jar as it is, more slowly");
                return List.of("-jar", packaged.toString());
            }
            Files.writeString(extractedFrom, digest);
        }
        return List.of("-XX:SharedArchiveFile=" + archive, "-jar", extracted.toString());
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
            }
            return HexFormat.of().formatHex(digest.digest());
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean run(Path log, String... arguments) throws IOException, InterruptedException {
        List<String> command = java();
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return false;
        }
        return process.exitValue() == 0;
    }

}
