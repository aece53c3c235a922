"""The four client scenarios of bench/scenarios/run.sh with asyncio and aiohttp.

    /usr/bin/python3 asyncio_scenarios.py HOST:PORT SCENARIO
Prints `name value` lines, then peak RSS (KiB)."""
import asyncio
import resource
import sys
import time

import aiohttp


def session():
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=60))


async def concurrent_gets(base):
    ok = 0

    async def get(client):
        nonlocal ok
        async with client.get(base + "/") as response:
            await response.read()
            ok += response.status == 200

    started = time.perf_counter()
    async with session() as client:
        await asyncio.gather(*(get(client) for _ in range(1000)))
    print(f"seconds {time.perf_counter() - started:.4f}\nok {ok}")


async def timeouts(base):
    ok = timed_out = 0

    async def get(client, target):
        nonlocal ok, timed_out
        try:
            async with asyncio.timeout(1):
                async with client.get(base + target) as response:
                    await response.read()
                    ok += response.status == 200
        except TimeoutError:
            timed_out += 1

    started = time.perf_counter()
    async with session() as client:
        await asyncio.gather(*(get(client, "/?delay=5000" if i % 5 == 0 else "/") for i in range(100)))
    print(f"seconds {time.perf_counter() - started:.4f}\nok {ok}\ntimed_out {timed_out}")


async def cancel_workers(base):
    requests = 0

    async def worker(client):
        nonlocal requests
        while True:
            async with client.get(base + "/?delay=100") as response:
                await response.read()
            requests += 1

    async with session() as client:
        tasks = [asyncio.create_task(worker(client)) for _ in range(500)]
        await asyncio.sleep(2)
        cancelled_at = time.perf_counter()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        cancel_ms = (time.perf_counter() - cancelled_at) * 1000
        print(f"cancel_ms {cancel_ms:.3f}\nrequests {requests}")
        print("measure_now", flush=True)
        await asyncio.sleep(0.5)


async def channel(_base):
    queue = asyncio.Queue(maxsize=100)
    total = 0
    done = object()

    async def producer():
        for i in range(10_000):
            await queue.put(i)
        await queue.put(done)

    async def consumer():
        nonlocal total
        while (item := await queue.get()) is not done:
            total += item

    started = time.perf_counter()
    await asyncio.gather(producer(), consumer())
    print(f"seconds {time.perf_counter() - started:.4f}\nitems_sum {total}")


def main():
    base = "http://" + sys.argv[1]
    scenario = {"1": concurrent_gets, "2": timeouts, "3": cancel_workers, "4": channel}[sys.argv[2]]
    asyncio.run(scenario(base))
    print(f"max_rss_kib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")


if __name__ == "__main__":
    main()
