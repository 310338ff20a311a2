/**
 * Every command in /bin, run by the shell of a real boot on files this test makes, against the
 * host's own tools (bash and GNU coreutils) running the same script on the same files: the
 * output must be byte-identical. (ls is asked for one name per line: in denix its stdout is the
 * console, a terminal, where it prints columns, as GNU ls does at a terminal.) The files reach denix read-only through `--mount-host` at
 * /host; what writes works in /tmp (tmpfs) there and in a temporary directory here. The system
 * commands, whose output is about this machine, must run and succeed. And a 3-stage pipeline
 * over 16 MiB, checksummed with cksum on both sides.
 */

import assert from "node:assert/strict";
import { bootScript, inTempDir } from "../helpers/boot.ts";
import { runCommand } from "../helpers/commands.ts";

const SCRIPT = `
cd "$SRC"
cat a.txt b.txt
cat -n a.txt
wc a.txt b.txt
wc -l < a.txt
head -n 3 a.txt; tail -n 2 a.txt; head -c 10 bin.dat | wc -c
grep -n an a.txt; grep -c -i AN a.txt; grep -v e b.txt; grep -E 'ap+le|kiwi' b.txt
grep nothing a.txt; echo "grep status $?"
sort b.txt; sort -n nums.txt; sort -r -u b.txt; sort -t , -k 2 csv.txt
sort b.txt | uniq -c; sort b.txt | uniq -d
cat a.txt | tr_absent 2>/dev/null; echo "missing $?"
seq 3 2 11; seq -s , 5; seq -w 8 10
echo hi there; echo -n x; echo y; echo -e 'tab\\there'
ls -1; ls -1 sub; ls -1R sub; ls -d sub
stat -c '%n %s %F %a' a.txt sub
hexdump -C bin.dat; hexdump bin.dat
cksum a.txt bin.dat
true; echo "true $?"; false; echo "false $?"
env -i X=1 Y=2 env
yes | head -n 3; yes no | head -n 2
cat a.txt | sort | uniq -c | sort -rn | head -n 3
cd "$WORK"
mkdir -p w/x/y && cp "$SRC/a.txt" w/x/ && mv w/x/a.txt w/x/c.txt && ln -s c.txt w/x/l
cp -r w w2 && touch w2/new && rmdir w/x/y
ls -1R w w2; cat w/x/l | wc -l
echo tee-me | tee t.txt > /dev/null; tee -a t.txt < "$SRC/b.txt" > /dev/null; cat t.txt
rm -r w w2 t.txt; ls -1; sync; echo done
sleep 0.1; date +%Y > /dev/null && echo dated
`;

async function makeFiles(dir: string): Promise<void> {
  const w = (name: string, text: string) => Deno.writeTextFile(`${dir}/${name}`, text);
  await w("a.txt", "banana\napple\ncherry\nbanana\nmango\nbanana\nkiwi\n");
  await w("b.txt", "pear\napple\nfig\napple\nkiwi\nzucchini\n");
  await w("nums.txt", "10\n9\n100\n-3\n2.5\n");
  await w("csv.txt", "x,3\ny,1\nz,2\n");
  await Deno.mkdir(`${dir}/sub/deeper`, { recursive: true });
  await w("sub/one", "1\n");
  await w("sub/deeper/two", "2\n");
  const bin = new Uint8Array(300);
  for (let i = 0; i < bin.length; i++) bin[i] = (i * 7 + (i >> 4)) & 0xff;
  bin.fill(0, 64, 128);
  await Deno.writeFile(`${dir}/bin.dat`, bin);
}

const run = (cmd: string, args: string[], input: string, env?: Record<string, string>) =>
  runCommand(cmd, args, { input, env });

function inTemp(body: (dir: string) => Promise<void>): Promise<void> {
  return inTempDir("denix-coreutils-", body);
}

function boot(dir: string, script: string) {
  return bootScript(script, `${dir}/root.img`, ["--fresh", "--mount-host", `${dir}/files`]);
}

Deno.test("the shell runs every command as the host's tools do", async () => {
  await inTemp(async (dir) => {
    await Deno.mkdir(`${dir}/files`);
    await Deno.mkdir(`${dir}/work`);
    await makeFiles(`${dir}/files`);
    const host = await run("bash", [], `SRC=${dir}/files; WORK=${dir}/work\n${SCRIPT}`, {
      LC_ALL: "C",
      TZ: "UTC",
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    });
    const denix = await boot(dir, `SRC=/host; WORK=/tmp\n${SCRIPT}`);
    assert.equal(denix.out, host.out, denix.err);
    assert.equal(denix.code, host.code);
  });
});

Deno.test("the system commands run through the shell", async () => {
  await inTemp(async (dir) => {
    await Deno.mkdir(`${dir}/files`);
    const r = await boot(
      dir,
      "ps > /dev/null && ps -ef | head -n 1 | wc -w && df > /dev/null && free > /dev/null && " +
        "mount | grep -c ' on /tmp type tmpfs' && uptime > /dev/null && dmesg | grep -c vfs && " +
        "top -b -n 1 > /dev/null && kill -0 1 && uname -s && echo system ok\n",
    );
    assert.equal(
      r.out,
      "8\n1\n1\ndenix\nsystem ok\n",
      r.err,
    );
  });
});

Deno.test("a 3-stage pipeline over 16 MiB, checksummed", async () => {
  await inTemp(async (dir) => {
    await Deno.mkdir(`${dir}/files`);
    const data = new Uint8Array(16 << 20);
    for (let at = 0; at < data.length; at += 65536) {
      crypto.getRandomValues(data.subarray(at, at + 65536));
    }
    await Deno.writeFile(`${dir}/files/big`, data);
    const host = await run("bash", ["-c", `cd ${dir}/files && cat big | cat | cksum`], "", {
      PATH: Deno.env.get("PATH") ?? "/bin",
    });
    const r = await boot(
      dir,
      "cat /host/big | cat | cksum\ncat /host/big | tee /tmp/copy | wc -c; cksum < /tmp/copy\n",
    );
    const [crc] = host.out.split(" ");
    assert.equal(r.out, `${crc} ${16 << 20}\n${16 << 20}\n${crc} ${16 << 20}\n`, r.err);
  });
});
