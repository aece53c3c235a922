"""The four client scenarios of bench/scenarios/run.sh with Trio and httpx.

    /usr/bin/python3 trio_scenarios.py HOST:PORT SCENARIO
Prints `name value` lines, then peak RSS (KiB)."""
import resource
import sys
import time

import httpx
import trio

UNLIMITED = httpx.Limits(max_connections=None, max_keepalive_connections=None)


async def concurrent_gets(base):
    ok = 0

    async def get(client):
        nonlocal ok
        response = await client.get(base + "/")
        ok += response.status_code == 200

    started = time.perf_counter()
    async with httpx.AsyncClient(limits=UNLIMITED, timeout=60) as client:
        async with trio.open_nursery() as nursery:
            for _ in range(1000):
                nursery.start_soon(get, client)
    print(f"seconds {time.perf_counter() - started:.4f}\nok {ok}")


async def timeouts(base):
    ok = timed_out = 0

    async def get(client, target):
        nonlocal ok, timed_out
        with trio.move_on_after(1) as scope:
            response = await client.get(base + target)
            ok += response.status_code == 200
        if scope.cancelled_caught:
            timed_out += 1

    started = time.perf_counter()
    async with httpx.AsyncClient(limits=UNLIMITED, timeout=60) as client:
        async with trio.open_nursery() as nursery:
            for i in range(100):
                nursery.start_soon(get, client, "/?delay=5000" if i % 5 == 0 else "/")
    print(f"seconds {time.perf_counter() - started:.4f}\nok {ok}\ntimed_out {timed_out}")


async def cancel_workers(base):
    requests = 0

    async def worker(client):
        nonlocal requests
        while True:
            await client.get(base + "/?delay=100")
            requests += 1

    async with httpx.AsyncClient(limits=UNLIMITED, timeout=60) as client:
        deadline = trio.current_time() + 2
        with trio.move_on_at(deadline):
            async with trio.open_nursery() as nursery:
                for _ in range(500):
                    nursery.start_soon(worker, client)
        cancel_ms = (trio.current_time() - deadline) * 1000
        print(f"cancel_ms {cancel_ms:.3f}\nrequests {requests}")
        # Sockets still open at the upstream are counted by run.sh right now, with the client still open.
        print("measure_now", flush=True)
        await trio.sleep(0.5)


async def channel(_base):
    send, receive = trio.open_memory_channel(100)
    total = 0

    async def producer():
        async with send:
            for i in range(10_000):
                await send.send(i)

    async def consumer():
        nonlocal total
        async with receive:
            async for item in receive:
                total += item

    started = time.perf_counter()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(producer)
        nursery.start_soon(consumer)
    print(f"seconds {time.perf_counter() - started:.4f}\nitems_sum {total}")


def main():
    base = "http://" + sys.argv[1]
    scenario = {"1": concurrent_gets, "2": timeouts, "3": cancel_workers, "4": channel}[sys.argv[2]]
    trio.run(scenario, base)
    print(f"max_rss_kib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")


if __name__ == "__main__":
    main()
