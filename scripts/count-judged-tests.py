#!/usr/bin/env python3
"""How many test functions are judged by something swarmsafe did not write (a real dockerd, the
docker CLI, swarmkit's own readings of the fixtures, the age and AWS CLIs, GNU tar, ansible, ...).

A heuristic, for the figure in a closing note: a @Test counts when its body, or a helper of its file
it calls, names one of those judges. usage: scripts/count-judged-tests.py [REPO]
"""
import glob, os, re, sys
repo = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
markers = {
    "real dockerd": r"RealDocker|dockerd|Dockerd|engine\.docker|DockerEngine",
    "docker CLI": r"DockerCLI|docker\.ok\(|docker\.run\(|docker\.lines\(",
    "swarmkit fixtures/goldens": r"Fixtures\.(golden|expected)|golden|GoldenReading|swarm-rafttool|rafttool",
    "age CLI": r"AgeInterop|age-keygen|/usr/bin/age|Support\.age|ageTool|\"age\"",
    "AWS CLI / moto / AWS vectors": r"aws\b|AWSCLI|awsCLI|moto|sigv4|SigV4TestSuite|vectors|S3TestServer|\.s3\(",
    "GNU tar / zstd / python tarfile": r"GNUTar|gnuTar|/bin/tar|Support\.tar\b|Support\.zstd|tarfile|Support\.python|/usr/bin/zstd",
    "ansible": r"ansible|playbook|Playbook",
    "openssl / system tools": r"openssl|/usr/bin/flock|flock\"|python3",
}
total = 0; judged = 0; by = {k: 0 for k in markers}
for path in glob.glob(os.path.join(repo, "Tests/**/*.swift"), recursive=True):
    text = open(path).read()
    file_judged = {k for k, m in markers.items() if re.search(m, text)}
    for m in re.finditer(r"@Test\b", text):
        # body: from the next '{' after 'func' to its matching brace
        f = text.find("func ", m.end())
        b = text.find("{", f)
        depth = 0; i = b
        while i < len(text):
            if text[i] == "{": depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0: break
            i += 1
        body = text[b:i]
        # helpers called in the body that live in the same file count through file-level markers
        hit = [k for k, mk in markers.items() if re.search(mk, body)]
        if not hit:
            calls = set(re.findall(r"(?:Self|\b[A-Z]\w+)\.(\w+)\(", body))
            for k in file_judged:
                for c in calls:
                    fn = re.search(r"func " + re.escape(c) + r"\b.*?\n    }\n", text, re.S)
                    if fn and re.search(markers[k], fn.group(0)): hit.append(k); break
        total += 1
        if hit:
            judged += 1
            for k in set(hit): by[k] += 1
print(f"{total} test functions; {judged} judged by something we did not write")
for k, v in by.items(): print(f"  {k}: {v}")
