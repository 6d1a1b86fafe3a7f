"""``python -m demo [--edition N]``: serve the demo sites in the foreground and print them."""

import argparse
import contextlib
import threading

from demo import DemoServer, sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edition", type=int, default=1)
    parser.add_argument("--port", type=int, default=8701, help="first port; 0 picks free ports")
    parser.add_argument("--sources", action="store_true", help="print a sources.toml too")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args()
    names = ["novosti", "vesti-ua", "dailywire", "agregator"]
    ports = {name: args.port and args.port + i for i, name in enumerate(names)}
    with DemoServer(ports, edition=args.edition, verbose=args.verbose) as server:
        for name, origin in server.origins.items():
            print(f"{name:10} {origin}/")
        if args.sources:
            print("\n" + sources(server.origins))
        print("Ctrl+C stops.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
