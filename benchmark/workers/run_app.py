"""Entry point of an Env B/C server: `python run_app.py --client NAME --driver KIND ...`.

Serves aspy_bench/app.py with uvicorn in the client's own interpreter and
process. Prints nothing on stdout; the orchestrator polls /health.
"""

import argparse
import importlib.util
import sys

from aspy_bench import app, dataset, drivers, peers  # type: ignore[import-not-found,unused-ignore]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--client", required=True, help="label shown in /health")
    p.add_argument("--driver", required=True, choices=[k for k in drivers.DRIVER_KINDS])
    p.add_argument("--library", default="",
                   help="the library this app claims to run (checked at start-up)")
    p.add_argument("--hosts", required=True, help="host:port[,host:port]")
    p.add_argument("--namespace", default="test")
    p.add_argument("--records-per-set", type=int, required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--concurrency", type=int, default=64, help="executor threads (official-async)")
    p.add_argument("--model", action="store_true", help="load the DLRM (Env C)")
    p.add_argument("--model-threads", type=int, default=1)
    p.add_argument("--timeout-ms", type=int, default=0,
                   help="per-call total_timeout (0: the client's default)")
    p.add_argument("--loop", default="auto", choices=["auto", "asyncio", "uvloop"])
    p.add_argument("--gc-freeze", action="store_true",
                   help="gc.freeze() once connected and the model loaded")
    args = p.parse_args()

    if args.library:
        peers.assert_library(args.library)

    import uvicorn

    hosts = []
    for hp in args.hosts.split(","):
        h, _, port = hp.rpartition(":")
        hosts.append((h, int(port)))
    plans = dataset.plan(args.records_per_set)
    policy = {"total_timeout": args.timeout_ms} if args.timeout_ms else None
    driver = drivers.make(args.driver, hosts, policy, args.concurrency)
    if isinstance(driver, drivers.Fake):
        driver.loaded = {pl.name: pl.loaded for pl in plans}
    application = app.create_app(driver, args.namespace, plans, args.seed,
                                 args.model_threads, args.model, args.client,
                                 gc_freeze=args.gc_freeze)
    loop = args.loop
    if loop == "auto":
        loop = "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"
    uvicorn.run(application, host="127.0.0.1", port=args.port, loop=loop,
                log_level="warning", access_log=False, lifespan="on")
    return 0


if __name__ == "__main__":
    sys.exit(main())
