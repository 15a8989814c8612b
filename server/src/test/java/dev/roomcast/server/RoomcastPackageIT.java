package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.testing.Requirements;
import dev.roomcast.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * roomcast.js for other people's apps: the repository packs with npm into a tarball that installs
 * offline, and the installed package works through {@code require} and through {@code import};
 * the server serves the ES module and the declarations beside the script; and roomcast.d.ts
 * declares exactly the methods the Client has.
 */
@Timeout(180)
class RoomcastPackageIT {

    private static final Path WEB = Path.of("src/main/resources/web");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path scratch;

    @Test
    void theRepositoryPacksAndInstallsAsAnNpmPackageThatWorksWithRequireAndImport() throws Exception {
        Requirements.need("node", works("npm"), "npm is not on the PATH");
        Result packed = run(scratch, "npm", "pack", Path.of("..").toAbsolutePath().normalize().toString(),
                "--pack-destination", scratch.toString(), "--offline");
        assertThat(packed.exit).as(packed.output).isZero();
        String tarball = packed.output.lines().filter(line -> line.endsWith(".tgz")).reduce((a, b) -> b).orElseThrow();
        Path app = Files.createDirectories(scratch.resolve("app"));
        Files.writeString(app.resolve("package.json"), "{\"name\":\"app\",\"private\":true}");
        Result installed = run(app, "npm", "install", scratch.resolve(tarball).toString(), "--offline", "--no-audit", "--no-fund");
        assertThat(installed.exit).as(installed.output).isZero();

        Result required = run(app, "node", "-e",
                "const R = require('roomcast'); console.log(typeof R.Client, typeof R.RoomcastError)");
        assertThat(required.output.strip()).as(required.output).isEqualTo("function function");
        Result imported = run(app, "node", "--input-type=module", "-e",
                "import Roomcast, { Client, RoomcastError } from 'roomcast';"
                        + " console.log(typeof Client, Client === Roomcast.Client, typeof RoomcastError)");
        assertThat(imported.output.strip()).as(imported.output).isEqualTo("function true function");
        try (Stream<Path> files = Files.walk(app.resolve("node_modules/roomcast"))) {
            assertThat(files.map(p -> p.getFileName().toString())).contains("roomcast.js", "roomcast.mjs", "roomcast.d.ts");
        }
    }

    @Test
    void theServerServesTheModuleAndTheDeclarationsBesideTheScript() throws Exception {
        try (TestServer server = TestServer.start()) {
            for (String file : List.of("roomcast.js", "roomcast.mjs", "roomcast.d.ts")) {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.http("/" + file)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(file).isEqualTo(200);
                assertThat(response.body()).as(file).isEqualTo(Files.readString(WEB.resolve(file)));
            }
        }
    }

    @Test
    void theDeclarationsNameExactlyTheClientsPublicMethods() throws Exception {
        Requirements.need("node", works("node"), "node is not on the PATH");
        Result methods = run(scratch, "node", "-e", "const { Client } = require(process.argv[1]);"
                + " console.log(Object.getOwnPropertyNames(Client.prototype).join(' '))", WEB.resolve("roomcast.js").toAbsolutePath().toString());
        // Internals are the methods the file's own comment puts below "internals"; the rest is the API.
        String source = Files.readString(WEB.resolve("roomcast.js"));
        String api = source.substring(source.indexOf("class Client {"), source.indexOf("// ---- internals"));
        TreeSet<String> public_ = new TreeSet<>(Arrays.asList(methods.output.strip().split(" ")));
        public_.removeIf(name -> name.equals("constructor") || !Pattern.compile("\\n {8}(get )?" + name + "\\(").matcher(api).find());

        TreeSet<String> declared = new TreeSet<>();
        String declarations = Files.readString(WEB.resolve("roomcast.d.ts"));
        String client = declarations.substring(declarations.indexOf("export class Client {"));
        Matcher member = Pattern.compile("\\n {4}(?:readonly )?(\\w+)[<(:]").matcher(client.substring(0, client.indexOf("\n}")));
        while (member.find()) {
            declared.add(member.group(1));
        }
        declared.removeAll(List.of("constructor", "url"));
        assertThat(declared).isEqualTo(public_);
    }

    private record Result(int exit, String output) {
    }

    private boolean works(String program) throws InterruptedException {
        try {
            return run(scratch, program, "--version").exit == 0;
        } catch (IOException notInstalled) {
            return false;
        }
    }

    private static Result run(Path directory, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(directory.toFile())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return new Result(process.exitValue(), output);
    }
}
