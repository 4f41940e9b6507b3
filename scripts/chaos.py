#!/usr/bin/env python3
"""Chaos run: three warroom replicas on one private Postgres cluster, under steady declares, clicks
and reminders, while the fake Slack injects 429s, 5xx, answers that arrive too late, connection
resets and permanent errors; replicas are killed with SIGKILL and restarted, or frozen with SIGSTOP
for longer than their lease (as a paused VM or a starved CPU would be) and thawed, at random, and
Postgres is restarted once. At the end the fake Slack's ledger is reconciled against the database.

Bounded and loopback only. Needs: release binaries (cargo build --release --bins), PostgreSQL's
server binaries (initdb, pg_ctl), and root (the private cluster runs as the `postgres` user).

    python3 scripts/chaos.py [--duration 120] [--seed 7]

Prints the reconciliation and exits non-zero if anything was lost or duplicated, or a Retry-After
was ignored.
"""

import argparse
import glob
import hashlib
import hmac
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

SECRET = "chaos-signing-secret"
CHANNEL = "C0CHAOS"
PG_PORT = 55432
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = """
[[severity]]
name = "SEV-1"
aliases = ["sev1", "p1"]
ack_within = "20s"
update_every = "20s"
[[severity]]
name = "SEV-2"
aliases = ["sev2", "p2"]
ack_within = "40s"
update_every = "30s"
[[severity]]
name = "SEV-3"
aliases = ["sev3", "p3"]
ack_within = "1h"
update_every = "45s"
[reminders]
heads_up = "0s"
[slack]
channel_pace = "1s"
timeout = "5s"
[outbox]
lease = "3s"
max_backoff = "5s"
"""


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"chaos: {name} not found (PostgreSQL server binaries are needed)")
    return found[-1]


class Cluster:
    """A private PostgreSQL cluster in a temporary directory, owned by the postgres user."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="warroom-chaos-pg-")
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = os.path.join(self.dir, "data")
        self.as_postgres([pg_bin("initdb"), "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync"], quiet=True)

    def as_postgres(self, argv, quiet=False):
        out = subprocess.DEVNULL if quiet else None
        subprocess.run(["runuser", "-u", "postgres", "--"] + argv, check=True, stdout=out, stderr=out)

    def pg_ctl(self, *args):
        opts = f"-p {PG_PORT} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on"
        self.as_postgres([pg_bin("pg_ctl"), "-D", self.data, "-o", opts, "-l", os.path.join(self.dir, "log"), "-w", *args], quiet=True)

    def start(self):
        self.pg_ctl("start")

    def stop(self):
        self.pg_ctl("stop", "-m", "immediate")

    def destroy(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, db="warroom"):
        return f"postgres://postgres@127.0.0.1:{PG_PORT}/{db}"

    def query(self, sql):
        out = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-d", "warroom", "-At", "-c", sql],
            check=True, capture_output=True, text=True,
        )
        return [line.split("|") for line in out.stdout.strip().splitlines() if line]


class Replica:
    def __init__(self, n, env):
        self.n, self.env, self.proc, self.frozen = n, env, None, False
        self.port = 3400 + n

    def start(self):
        env = dict(self.env, WARROOM_LISTEN=f"127.0.0.1:{self.port}")
        logf = open(f"/tmp/warroom-chaos-replica-{self.n}.log", "ab")
        self.proc = subprocess.Popen([os.path.join(REPO, "target/release/warroom"), "serve"], env=env, stdout=logf, stderr=logf)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def freeze(self):
        if self.proc and self.proc.poll() is None:
            self.frozen = True  # a load balancer's health check would take it out too
            self.proc.send_signal(signal.SIGSTOP)

    def thaw(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
        self.frozen = False

    def stop(self):
        self.thaw()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


def sign(body: bytes, ts: int) -> str:
    mac = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256)
    return "v0=" + mac.hexdigest()


def post(url, body: bytes, content_type, timeout=5.0):
    """Sends a request signed as Slack signs it; returns (status, text, seconds)."""
    ts = int(time.time())
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": sign(body, ts),
    })
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode(), time.monotonic() - started
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), time.monotonic() - started
    except Exception as e:  # connection refused while a replica is down
        return 0, str(e), time.monotonic() - started


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read().decode())


class Load:
    """Steady declares and clicks, each sent to a random live replica, some delivered 2-4 times."""

    def __init__(self, replicas, fake, rng):
        self.replicas, self.fake, self.rng = replicas, fake, rng
        self.declared, self.answers, self.slow, self.lock = [], [], [], threading.Lock()
        self.duplicates_sent, self.probes = 0, 0
        self.stop = threading.Event()

    def live(self):
        return [r for r in self.replicas if r.proc and r.proc.poll() is None and not r.frozen]

    def send(self, path, body, content_type, copies):
        targets = self.live() or self.replicas
        results = []
        threads = []
        for i in range(copies):
            replica = self.rng.choice(targets)

            def go(rep=replica):
                results.append(post(rep.url(path), body, content_type))
            t = threading.Thread(target=go)
            t.start()
            threads.append(t)
            if i == 0 and copies > 1:
                time.sleep(self.rng.choice([0.0, 0.05, 0.5]))  # a retry while the first may still run
        for t in threads:
            t.join()
        with self.lock:
            self.duplicates_sent += copies - 1
            for status, text, secs in results:
                self.answers.append((status, secs))
                if secs > 2.0:
                    self.slow.append((path, status, secs))
        return results

    def declare(self, n):
        sev = ["sev1", "sev2", "sev3"][n % 3]
        form = urllib.parse.urlencode({
            "team_id": "T1", "team_domain": "chaos", "channel_id": "C0GENERAL", "user_id": f"U{n:05d}",
            "command": "/incident", "text": f"declare {sev} Chaos incident {n}",
            "response_url": f"{self.fake}/response/declare-{n}", "trigger_id": f"{n}.chaos.trigger",
        }).encode()
        copies = self.rng.choice([1, 1, 1, 2, 3, 4])
        results = self.send("/slack/commands", form, "application/x-www-form-urlencoded", copies)
        if any(s == 200 and "Declaring" in t for s, t, _ in results):
            with self.lock:
                self.declared.append(n)

    def probe_declare(self):
        """One declare, sent once, timed: for the Postgres outage."""
        self.probes += 1
        n = 900000 + self.probes
        form = urllib.parse.urlencode({
            "team_id": "T1", "team_domain": "chaos", "channel_id": "C0GENERAL", "user_id": f"U{n:05d}",
            "command": "/incident", "text": f"declare sev3 Outage probe {n}",
            "response_url": f"{self.fake}/response/probe-{n}", "trigger_id": f"{n}.probe.trigger",
        }).encode()
        targets = self.live() or self.replicas
        status, text, secs = post(self.rng.choice(targets).url("/slack/commands"), form, "application/x-www-form-urlencoded")
        if status == 200 and "Declaring" in text:
            with self.lock:
                self.declared.append(n)
        return status, text, secs

    def click(self, n):
        rows = CLUSTER.query("SELECT id, card_ts FROM incidents WHERE card_ts IS NOT NULL ORDER BY random() LIMIT 1")
        if not rows:
            return
        incident, card_ts = rows[0]
        action, choice = self.rng.choice([("incident_acknowledge", None), ("incident_status", "identified"), ("incident_status", "contained")])
        act = {"action_id": action, "block_id": f"card:{incident}", "action_ts": f"{time.time():.6f}"}
        if choice:
            act.update(type="static_select", selected_option={"text": {"type": "plain_text", "text": choice}, "value": choice})
        else:
            act.update(type="button", value=incident)
        payload = {
            "type": "block_actions", "user": {"id": f"U9{n:04d}"}, "api_app_id": "A1", "team": {"id": "T1", "domain": "chaos"},
            "container": {"type": "message", "message_ts": card_ts, "channel_id": CHANNEL}, "trigger_id": f"{n}.click",
            "channel": {"id": CHANNEL}, "response_url": f"{self.fake}/response/click-{n}", "actions": [act],
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        self.send("/slack/interactions", body, "application/x-www-form-urlencoded", self.rng.choice([1, 1, 2]))

    def run(self, seconds):
        n = 0
        end = time.monotonic() + seconds
        while time.monotonic() < end and not self.stop.is_set():
            n += 1
            if n % 3 == 0:
                self.declare(n)
            else:
                try:
                    self.click(n)
                except subprocess.CalledProcessError:
                    pass  # Postgres is restarting; the next click will find it back
            time.sleep(1.0)


def main():
    global CLUSTER
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=120, help="seconds of load (the drain after it is bounded too)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    for binary in ("warroom", "fake-slack"):
        if not os.path.exists(os.path.join(REPO, "target/release", binary)):
            sys.exit(f"chaos: target/release/{binary} is missing; run `cargo build --release --bins` first")

    CLUSTER = Cluster()
    procs, replicas = [], []
    try:
        CLUSTER.start()
        log(f"private Postgres cluster on 127.0.0.1:{PG_PORT} in {CLUSTER.dir}")
        fake_port = 3499
        fake = subprocess.Popen([
            os.path.join(REPO, "target/release/fake-slack"), "--listen", f"127.0.0.1:{fake_port}",
            "--rate-limited", "0.05", "--retry-after", "2", "--server-error", "0.05", "--slow-accept", "0.02",
            "--slow-accept-ms", "7000", "--reset", "0.02", "--permanent", "0.005", "--channel-pace-ms", "900",
        ], stdout=subprocess.DEVNULL, stderr=open("/tmp/warroom-chaos-fake.log", "wb"))
        procs.append(fake)
        fake_url = f"http://127.0.0.1:{fake_port}"
        time.sleep(1)
        config_path = os.path.join(tempfile.gettempdir(), "warroom-chaos.toml")
        open(config_path, "w").write(CONFIG)
        env = dict(os.environ, DATABASE_URL=CLUSTER.url(), SLACK_BOT_TOKEN="xoxb-chaos", SLACK_SIGNING_SECRET=SECRET,
                   SLACK_API_URL=f"{fake_url}/api", WARROOM_INCIDENT_CHANNEL=CHANNEL, WARROOM_CONFIG=config_path, RUST_LOG="warn")
        replicas.extend(Replica(n, env) for n in range(3))
        replicas[0].start()
        time.sleep(2)  # the first replica creates and migrates the database
        for r in replicas[1:]:
            r.start()
        time.sleep(1)

        load = Load(replicas, fake_url, rng)
        worker = threading.Thread(target=load.run, args=(args.duration,))
        worker.start()
        started = time.monotonic()
        restarted_pg = False
        kills, freezes = 0, 0
        outage, first_after = [], None
        while worker.is_alive():
            time.sleep(rng.uniform(8, 15))
            if not worker.is_alive():
                break
            victim = rng.choice(replicas)
            if rng.random() < 0.5:
                victim.kill()
                kills += 1
                log(f"kill -9 replica {victim.n}")
                time.sleep(rng.uniform(0.5, 3))
                victim.start()
            else:
                # Frozen past its lease with deliveries in flight: the others take its rows over,
                # and it wakes up still holding posts it had started.
                frozen = rng.uniform(4, 12)
                victim.freeze()
                freezes += 1
                log(f"SIGSTOP replica {victim.n} for {frozen:.1f} s")
                time.sleep(frozen)
                victim.thaw()
            if not restarted_pg and time.monotonic() - started > args.duration / 2:
                log("restarting Postgres (immediate)")
                CLUSTER.stop()
                outage_started = time.monotonic()
                while time.monotonic() - outage_started < 3:
                    status, _, secs = load.probe_declare()
                    outage.append((status, secs))
                CLUSTER.start()
                log(f"Postgres back after {time.monotonic() - outage_started:.1f} s")
                status, text, secs = load.probe_declare()
                first_after = (status, "Declaring" in text, secs)
                log(f"first declare after Postgres returned: {status} in {secs:.2f} s")
                restarted_pg = True
        worker.join()

        log("load over; Slack faults off; draining")
        req = urllib.request.Request(f"{fake_url}/_faults", data=json.dumps({
            "rate_limited": 0, "server_error": 0, "slow_accept": 0, "slow_accept_ms": 0,
            "reset": 0, "permanent": 0, "retry_after_secs": 1}).encode(), method="POST", headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=5).read()
        CLUSTER.query("UPDATE reminders SET state = 'cancelled' WHERE state = 'pending'")
        # Everything goes into one channel at one post a second: the backlog takes a while.
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            pending = int(CLUSTER.query("SELECT count(*) FROM outbox WHERE state = 'pending'")[0][0])
            if pending == 0:
                break
            time.sleep(2)
        report(load, fake_url, kills, freezes, restarted_pg, outage, first_after)
    finally:
        for r in replicas:
            r.stop()
        for p in procs:
            p.terminate()
        CLUSTER.destroy()


def report(load, fake_url, kills, freezes, restarted_pg, outage, first_after):
    ledger = get_json(f"{fake_url}/_ledger")
    stats = get_json(f"{fake_url}/_stats")
    by_outbox = {}
    for m in ledger:
        oid = ((m.get("metadata") or {}).get("event_payload") or {}).get("outbox_id")
        if oid is not None:
            by_outbox.setdefault(str(oid), []).append(m)
    rows = CLUSTER.query("SELECT id, kind, state, coalesce(last_error, '') FROM outbox WHERE method IN ('post', 'chat.postMessage')")
    delivered = [r for r in rows if r[2] == "delivered"]
    failed = [r for r in rows if r[2] == "failed"]
    pending = [r for r in rows if r[2] == "pending"]
    lost = [r for r in delivered if r[0] not in by_outbox]
    duplicated = {oid: len(ms) for oid, ms in by_outbox.items() if len(ms) > 1}
    cards = [r for r in rows if r[1] == "post_card"]
    thread = [r for r in rows if r[1] == "thread_reply"]
    incidents = int(CLUSTER.query("SELECT count(*) FROM incidents")[0][0])
    titles = {r[0] for r in CLUSTER.query("SELECT title FROM incidents")}
    declares_lost = [n for n in load.declared if not any(t.endswith(f" {n}") for t in titles)]
    fired = int(CLUSTER.query("SELECT count(*) FROM reminders WHERE state = 'fired' AND incident_id IS NOT NULL")[0][0])
    reminder_posts = int(CLUSTER.query("SELECT count(*) FROM timeline_entries WHERE kind IN ('reminder_sent', 'escalated') AND actor = 'warroom'")[0][0])
    statuses = {}
    for status, _ in load.answers:
        statuses[status] = statuses.get(status, 0) + 1
    print()
    print("== chaos reconciliation ==")
    print(f"replica kills (SIGKILL)            {kills}")
    print(f"replica freezes (SIGSTOP > lease)  {freezes}")
    print(f"Postgres restarted                 {'yes' if restarted_pg else 'no'}")
    print(f"requests sent (incl. duplicates)   {len(load.answers)} ({load.duplicates_sent} duplicate deliveries); statuses {statuses}")
    print(f"requests slower than 2 s           {len(load.slow)} {load.slow[:5]}")
    worst = max((secs for _, secs in outage), default=0.0)
    print(f"requests while Postgres was down   {len(outage)}, statuses {sorted({s for s, _ in outage})}, slowest {worst:.2f} s")
    print(f"first declare after it returned    {first_after}")
    print(f"declares acknowledged              {len(load.declared)}")
    print(f"incidents in the database          {incidents} (acknowledged but missing: {len(declares_lost)})")
    print(f"cards: rows / delivered / failed   {len(cards)} / {sum(r[2] == 'delivered' for r in cards)} / {sum(r[2] == 'failed' for r in cards)}")
    print(f"thread posts expected / seen       {sum(r[2] == 'delivered' for r in thread)} / {sum(1 for r in thread if r[0] in by_outbox)}")
    print(f"permanent failures (recorded)      {len(failed)} {sorted({r[3] for r in failed})}")
    print(f"lost (recorded sent, not in Slack) {len(lost)}")
    print(f"still queued when the run ended    {len(pending)}")
    print(f"duplicated                         {len(duplicated)} {list(duplicated.items())[:5]}")
    print(f"reminder / escalation posts fired  {fired} reminders, {reminder_posts} timeline entries")
    print(f"calls before Retry-After ran out   {stats.get('retry_after_violations')}")
    print(f"max posts into one channel in 5 s  {stats.get('max_posts_per_channel_in_any_5s_window')}")
    print(f"pace violations seen by the fake   {stats.get('pace_violations')}")
    ok = not lost and not pending and not duplicated and stats.get("retry_after_violations", 0) == 0 and not declares_lost
    print("RESULT", "PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("chaos: run as root (the private Postgres cluster runs as the postgres user)")
    main()
