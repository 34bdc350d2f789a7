import Testing
import ImageSpec
@testable import ConfigChanges

/// Applies `changes` to `base` the way `docker commit --change` would.
func applied(_ changes: [String], to base: ContainerConfig = ContainerConfig()) throws -> ContainerConfig {
    try ChangeSet(parsing: changes).apply(to: base)
}

/// The message of the error `changes` raise, or nil.
func failure(_ changes: [String], base: ContainerConfig = ContainerConfig()) -> String? {
    do {
        _ = try applied(changes, to: base)
        return nil
    } catch let e as ChangeError {
        return e.message
    } catch {
        return "unexpected \(error)"
    }
}

func config(env: [String]? = nil, cmd: [String]? = nil, entrypoint: [String]? = nil, shell: [String]? = nil) -> ContainerConfig {
    var c = ContainerConfig()
    c.env = env
    c.cmd = cmd
    c.entrypoint = entrypoint
    c.shell = shell
    return c
}

@Suite struct EnvAndLabelTests {
    struct Case: Sendable, CustomStringConvertible {
        var changes: [String]
        var base: [String]?
        var env: [String]
        var description: String { changes.joined(separator: " | ") }
    }

    static let envCases: [Case] = [
        Case(changes: [#"ENV A=1 B="two words" C='x y'"#], base: nil, env: ["A=1", "B=two words", "C=x y"]),
        Case(changes: ["ENV A hello   world"], base: nil, env: ["A=hello   world"]),
        Case(changes: [#"ENV A "quoted value""#], base: nil, env: ["A=quoted value"]),
        Case(changes: ["ENV A=1", "ENV B=$A C=${A}x"], base: nil, env: ["A=1", "B=1", "C=1x"]),
        Case(changes: ["ENV A=1 B=$A"], base: nil, env: ["A=1", "B="]),
        Case(changes: ["ENV PATH=/app:$PATH"], base: ["PATH=/usr/bin", "X=1"], env: ["PATH=/app:/usr/bin", "X=1"]),
        Case(changes: ["ENV A=${UNSET:-def} B=${UNSET:+alt} C=${X:+alt} D=${X-d}"], base: ["X=1"],
             env: ["X=1", "A=def", "B=", "C=alt", "D=1"]),
        Case(changes: ["ENV A=${E:-def} B=${E-def}"], base: ["E="], env: ["E=", "A=def", "B="]),
        Case(changes: [#"ENV A=a\ b"#], base: nil, env: ["A=a b"]),
        Case(changes: ["ENV A='$HOME'"], base: ["HOME=/root"], env: ["HOME=/root", "A=$HOME"]),
        Case(changes: [#"ENV A="x\"y\$z\\w\q""#], base: nil, env: [#"A=x"y$z\w\q"#]),
        Case(changes: ["ENV B=${P#*/} C=${P##*/} D=${P%/*} E=${P%%/*}"], base: ["P=/usr/local/bin"],
             env: ["P=/usr/local/bin", "B=usr/local/bin", "C=bin", "D=/usr/local", "E="]),
        Case(changes: ["ENV A=${P/local/opt} B=${V//a/b} C=${V/n*/X}"], base: ["P=/usr/local/bin", "V=banana"],
             env: ["P=/usr/local/bin", "V=banana", "A=/usr/opt/bin", "B=bbnbnb", "C=baX"]),
        Case(changes: ["ENV ${K}=v"], base: ["K=NAME"], env: ["K=NAME", "NAME=v"]),
        Case(changes: ["env a=1", "Env a=2"], base: nil, env: ["a=2"]),
        Case(changes: ["ENV A=1 \\", "  B=2"], base: nil, env: ["A=1", "B=2"]),
        Case(changes: ["ENV A=1\nENV B=2"], base: nil, env: ["A=1", "B=2"]),
        Case(changes: ["# a comment", "ENV A=1", "   # indented comment"], base: nil, env: ["A=1"]),
        Case(changes: ["# escape=`", "ENV A=x`$y B=c:\\d"], base: nil, env: ["A=x$y", #"B=c:\d"#]),
        Case(changes: ["ENV A=$1 B=$ C=$$"], base: nil, env: ["A=", "B=$", "C="]),
    ]

    @Test(arguments: envCases)
    func env(_ c: Case) throws {
        let out = try applied(c.changes, to: config(env: c.base))
        #expect(out.env == c.env)
    }

    @Test func labels() throws {
        let out = try applied([#"LABEL "a b"="c d" version=1.0"#, "LABEL maintainer Jane  Doe", "LABEL home=$HOME"],
                              to: config(env: ["HOME=/root"]))
        #expect(out.labels == ["a b": "c d", "version": "1.0", "maintainer": "Jane  Doe", "home": "/root"])
    }

    @Test(arguments: [
        (["ENV A"], "ENV must have two arguments"),
        (["LABEL A"], "LABEL must have two arguments"),
        (["ENV A=1 B"], #"Syntax error - can't find = in "B". Must be of the form: name=value"#),
        (["ENV =x"], "ENV names can not be blank"),
        (["ENV"], "ENV requires at least one argument"),
        ([#"ENV A="x"#], #"failed to process "\"x": unexpected end of statement while looking for matching double-quote"#),
        (["ENV A='x"], #"failed to process "'x": unexpected end of statement while looking for matching single-quote"#),
        (["ENV A=${B"], "failed to process \"${B\": unsupported modifier (\u{FFFD}) in substitution"),
        (["ENV A=${}"], #"failed to process "${}": syntax error: bad substitution"#),
        (["ENV A=${B:x}"], #"failed to process "${B:x}": unsupported modifier (:x) in substitution"#),
        (["ENV A=${B?unset}"], #"failed to process "${B?unset}": B: unset"#),
        // Words split on unquoted spaces before expansion, even inside ${…}.
        (["ENV A=${B?must be set}"], #"Syntax error - can't find = in "be". Must be of the form: name=value"#),
        (["ENV A=${B:?}"], #"failed to process "${B:?}": B: is not allowed to be unset"#),
        (["ENV A=${B:-x"], #"failed to process "${B:-x": syntax error: missing '}'"#),
        (["ENV --foo=1 A=1"], "Unknown flag: foo"),
    ])
    func refused(_ changes: [String], _ message: String) {
        #expect(failure(changes) == message)
    }
}

@Suite struct CommandTests {
    @Test func shellAndExecForms() throws {
        #expect(try applied(["CMD echo hi"]).cmd == ["/bin/sh", "-c", "echo hi"])
        #expect(try applied([#"CMD ["a", "b c"]"#]).cmd == ["a", "b c"])
        #expect(try applied(["CMD [foo]"]).cmd == ["/bin/sh", "-c", "[foo]"])
        #expect(try applied(["CMD echo $HOME  \"x\""]).cmd == ["/bin/sh", "-c", #"echo $HOME  "x""#])
        #expect(try applied([#"CMD ["\u00e9\n"]"#]).cmd == ["\u{E9}\n"])
        #expect(try applied(["CMD x"], to: config(shell: ["/bin/bash", "-c"])).cmd == ["/bin/bash", "-c", "x"])
        #expect(try applied([#"ENTRYPOINT ["/init"]"#]).entrypoint == ["/init"])
        #expect(try applied(["ENTRYPOINT exec nginx"]).entrypoint == ["/bin/sh", "-c", "exec nginx"])
    }

    @Test func entrypointClearsCmdUnlessCmdCameFirst() throws {
        let base = config(cmd: ["old"], entrypoint: ["oldep"])
        var out = try applied([#"ENTRYPOINT ["e"]"#], to: base)
        #expect(out.entrypoint == ["e"] && out.cmd == nil)
        out = try applied([#"CMD ["c"]"#, #"ENTRYPOINT ["e"]"#], to: base)
        #expect(out.entrypoint == ["e"] && out.cmd == ["c"])
        out = try applied([#"ENTRYPOINT ["e"]"#, #"CMD ["c"]"#], to: base)
        #expect(out.entrypoint == ["e"] && out.cmd == ["c"])
        out = try applied(["CMD []", #"ENTRYPOINT ["e"]"#], to: base)
        #expect(out.entrypoint == ["e"] && out.cmd == nil)
        out = try applied(["ENTRYPOINT []"], to: base)
        #expect(out.entrypoint == nil && out.cmd == nil)
        out = try applied(["CMD []"], to: base)
        #expect(out.cmd == [] && out.entrypoint == ["oldep"])
        #expect(out.omittingEmptyFields().cmd == nil)
    }

    @Test func argsEscapedCleared() throws {
        var base = ContainerConfig()
        base.argsEscaped = true
        #expect(try applied(["CMD x"], to: base).argsEscaped == nil)
    }

    @Test func nonStringJSON() {
        #expect(failure(["CMD [1]"]) == "when using JSON array syntax, arrays must be comprised of strings only")
        #expect(failure([#"ENTRYPOINT ["a", null]"#]) == "when using JSON array syntax, arrays must be comprised of strings only")
        #expect(failure(["CMD --x=1 a"]) == "Unknown flag: x")
    }
}

@Suite struct PortsVolumesPathsTests {
    @Test func expose() throws {
        let out = try applied(["EXPOSE 80 53/udp 8000-8002 443/TCP 127.0.0.1:8080:81 [::1]:9000:9001/sctp 5000/tcp/x"])
        #expect(Set(out.exposedPorts!.keys) == ["80/tcp", "53/udp", "8000/tcp", "8001/tcp", "8002/tcp", "443/tcp",
                                                "81/tcp", "9001/sctp", "5000/tcp"])
        let env = try applied([#"ENV P="80 81/udp""#, "EXPOSE $P"])
        #expect(Set(env.exposedPorts!.keys) == ["80/tcp", "81/udp"])
    }

    @Test(arguments: [
        ("EXPOSE 80/icmp", "invalid proto: icmp"),
        ("EXPOSE 80x", "invalid containerPort: 80x"),
        ("EXPOSE 8002-8000", "invalid containerPort: 8002-8000"),
        ("EXPOSE 70000", "invalid containerPort: 70000"),
        ("EXPOSE 1.2.3:80:80", "invalid IP address: 1.2.3"),
        ("EXPOSE 8080-8081:80-82", "invalid ranges specified for container and host Ports: 80-82 and 8080-8081"),
        ("EXPOSE /tcp", "no port specified: /tcp<empty>"),
        ("EXPOSE", "EXPOSE requires at least one argument"),
    ])
    func exposeRefused(_ change: String, _ message: String) {
        #expect(failure([change]) == message)
    }

    @Test func volumes() throws {
        #expect(Set(try applied(["VOLUME /data /logs"]).volumes!.keys) == ["/data", "/logs"])
        #expect(Set(try applied([#"VOLUME ["/a", " /b c "]"#]).volumes!.keys) == ["/a", "/b c"])
        #expect(Set(try applied(["VOLUME $D"], to: config(env: ["D=/x"])).volumes!.keys) == ["/x"])
        #expect(failure(["VOLUME []"]) == "VOLUME requires at least one argument")
        #expect(failure([#"VOLUME [""]"#]) == "VOLUME specified can not be an empty string")
        #expect(failure(["VOLUME $UNSET"]) == "VOLUME specified can not be an empty string")
    }

    @Test func workdir() throws {
        #expect(try applied(["WORKDIR a"]).workingDir == "/a")
        #expect(try applied(["WORKDIR a", "WORKDIR b/../c"]).workingDir == "/a/c")
        #expect(try applied(["WORKDIR /x/./y/"]).workingDir == "/x/y")
        #expect(try applied(["WORKDIR $H/w"], to: config(env: ["H=/home/u"])).workingDir == "/home/u/w")
        #expect(try applied(["WORKDIR ../.."]).workingDir == "/")
        #expect(failure(["WORKDIR $UNSET"]) == "cannot normalize nothing")
        #expect(failure(["WORKDIR"]) == "WORKDIR requires exactly one argument")
    }

    @Test func user() throws {
        #expect(try applied(["USER  app:app  "]).user == "app:app")
        #expect(try applied(["USER $U"], to: config(env: ["U=1000"])).user == "1000")
        #expect(try applied([#"USER "a b""#]).user == "a b")
        #expect(failure(["USER"]) == "USER requires exactly one argument")
    }

    @Test(arguments: [
        ("STOPSIGNAL SIGTERM", "SIGTERM"), ("STOPSIGNAL term", "term"), ("STOPSIGNAL 9", "9"),
        ("STOPSIGNAL SIGRTMIN+3", "SIGRTMIN+3"), ("STOPSIGNAL -1", "-1"), ("STOPSIGNAL $S", "SIGQUIT"),
    ])
    func stopSignal(_ change: String, _ value: String) throws {
        #expect(try applied([change], to: config(env: ["S=SIGQUIT"])).stopSignal == value)
    }

    @Test func stopSignalRefused() {
        #expect(failure(["STOPSIGNAL 0"]) == "invalid signal: 0")
        #expect(failure(["STOPSIGNAL SIGFOO"]) == "invalid signal: SIGFOO")
        #expect(failure(["STOPSIGNAL RTMIN+16"]) == "invalid signal: RTMIN+16")
    }
}

@Suite struct HealthcheckAndOnbuildTests {
    @Test func healthchecks() throws {
        var h = try applied(["HEALTHCHECK NONE"]).healthcheck
        #expect(h?.test == ["NONE"] && h?.interval == nil && h?.retries == nil)
        h = try applied(["HEALTHCHECK --interval=30s --timeout=3s --start-period=1m --start-interval=500ms --retries=3 CMD curl -f http://localhost/"]).healthcheck
        #expect(h?.test == ["CMD-SHELL", "curl -f http://localhost/"])
        #expect(h?.interval == 30_000_000_000 && h?.timeout == 3_000_000_000)
        #expect(h?.startPeriod == 60_000_000_000 && h?.startInterval == 500_000_000 && h?.retries == 3)
        h = try applied([#"healthcheck cmd ["curl", "-f"]"#]).healthcheck
        #expect(h?.test == ["CMD", "curl", "-f"])
        h = try applied(["HEALTHCHECK --interval=1.5h --timeout=0s --retries=0 CMD x"]).healthcheck
        #expect(h?.interval == 5_400_000_000_000 && h?.timeout == nil && h?.retries == nil)
        h = try applied(["HEALTHCHECK --interval=1h2m3.5s CMD x"]).healthcheck
        #expect(h?.interval == 3_723_500_000_000)
    }

    @Test(arguments: [
        ("HEALTHCHECK NONE x", "HEALTHCHECK NONE takes no arguments"),
        ("HEALTHCHECK CMD", "Missing command after HEALTHCHECK CMD"),
        ("HEALTHCHECK FOO x", #"Unknown type "FOO" in HEALTHCHECK (try CMD)"#),
        ("HEALTHCHECK --interval=10us CMD x", #"Interval "interval" cannot be less than 1ms"#),
        ("HEALTHCHECK --timeout=5 CMD x", #"time: missing unit in duration "5""#),
        ("HEALTHCHECK --interval=abc CMD x", #"time: invalid duration "abc""#),
        ("HEALTHCHECK --interval=5d CMD x", #"time: unknown unit "d" in duration "5d""#),
        ("HEALTHCHECK --retries=-1 CMD x", "--retries cannot be negative (-1)"),
        ("HEALTHCHECK --retries=x CMD x", #"strconv.ParseInt: parsing "x": invalid syntax"#),
        ("HEALTHCHECK --foo=1 CMD x", "Unknown flag: foo"),
        ("HEALTHCHECK --interval 5s CMD x", "Missing a value on flag: interval"),
        ("HEALTHCHECK --retries=1 --retries=2 CMD x", "Duplicate flag specified: retries"),
        ("HEALTHCHECK", "HEALTHCHECK requires at least one argument"),
    ])
    func healthcheckRefused(_ change: String, _ message: String) {
        #expect(failure([change]) == message)
    }

    @Test func onbuild() throws {
        #expect(try applied(["ONBUILD RUN echo $X", "onbuild  ADD . /app"]).onBuild == ["RUN echo $X", "ADD . /app"])
        #expect(failure(["ONBUILD ONBUILD RUN x"]) == "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
        #expect(failure(["ONBUILD from x"]) == "FROM isn't allowed as an ONBUILD trigger")
        #expect(failure(["ONBUILD"]) == "ONBUILD requires at least one argument")
        #expect(failure(["ONBUILD ENV A"]) == "ENV must have two arguments")
    }
}

@Suite struct ParsingTests {
    @Test(arguments: [
        (["RUN echo hi"], "RUN is not a valid change command"),
        (["run echo hi"], "run is not a valid change command"),
        (["FROM alpine"], "FROM is not a valid change command"),
        (["ARG A=1"], "ARG is not a valid change command"),
        ([#"SHELL ["/bin/bash", "-c"]"#], "SHELL is not a valid change command"),
        (["MAINTAINER me"], "MAINTAINER is not a valid change command"),
        (["COPY a b"], "COPY is not a valid change command"),
        (["ENV A=1", "ADD a b"], "ADD is not a valid change command"),
        (["FOO bar"], "FOO is not a valid change command"),
        ([""], "file with no instructions"),
        (["# only a comment"], "file with no instructions"),
        (["# escape=x", "ENV A=1"], "invalid escape token 'x' does not match ` or \\"),
        (["ENV A=1", "RUN [1]"], "when using JSON array syntax, arrays must be comprised of strings only"),
    ])
    func refused(_ changes: [String], _ message: String) {
        #expect(failure(changes) == message)
    }

    @Test func errorCodes() throws {
        #expect(throws: ChangeError(.notAllowed, "RUN is not a valid change command", instruction: "RUN")) {
            _ = try ChangeSet(parsing: ["RUN x"])
        }
        #expect(throws: ChangeError(.invalidArgument, "invalid signal: X", instruction: "STOPSIGNAL")) {
            _ = try applied(["STOPSIGNAL X"])
        }
    }

    @Test func emptyListKeepsConfig() throws {
        let base = config(env: ["A=1"], cmd: ["x"])
        let set = try ChangeSet(parsing: [])
        #expect(set.isEmpty)
        #expect(try set.apply(to: base) == base)
        #expect(try ChangeSet(parsing: ["ENV A=1", "cmd x"]).instructionNames == ["ENV", "cmd"])
    }

    @Test func failedApplyLeavesConfigUnchanged() throws {
        var c = config(env: ["A=1"])
        #expect(throws: ChangeError.self) { try ChangeSet(parsing: ["ENV B=2", "STOPSIGNAL 0"]).apply(to: &c) }
        #expect(c.env == ["A=1"])
    }
}
