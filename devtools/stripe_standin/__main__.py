"""Run the Stripe stand-in in the foreground: `python -m devtools.stripe_standin`."""

import argparse
import os
import sys

from .server import DEFAULT_PORT, StripeStandin


def parse_args(argv=None):
    env = os.environ
    parser = argparse.ArgumentParser(
        prog="python -m devtools.stripe_standin",
        description="Serve an offline stand-in for Stripe's API, Checkout page and webhooks.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=int(env.get("STRIPE_STANDIN_PORT") or DEFAULT_PORT)
    )
    parser.add_argument(
        "--webhook-url",
        default=env.get("STRIPE_STANDIN_WEBHOOK_URL") or None,
        help="where events are POSTed; leave out to only record them",
    )
    parser.add_argument("--webhook-secret", default=env.get("STRIPE_WEBHOOK_SECRET") or None)
    parser.add_argument(
        "--api-key",
        default=env.get("STRIPE_SECRET_KEY") or None,
        help="the only secret key accepted; without it any sk_test_ key is",
    )
    parser.add_argument(
        "--public-url",
        default=env.get("STRIPE_STANDIN_PUBLIC_URL") or None,
        help="base URL browsers use for the hosted page when it differs from host:port",
    )
    args = parser.parse_args(argv)
    if args.webhook_url and not args.webhook_secret:
        parser.error("--webhook-url needs --webhook-secret (or STRIPE_WEBHOOK_SECRET)")
    return args


def main(argv=None):
    args = parse_args(argv)
    standin = StripeStandin(
        host=args.host,
        port=args.port,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        api_key=args.api_key,
        public_url=args.public_url,
        quiet=False,
    )
    standin.start()
    print(
        f"Stripe stand-in on {standin.url} (webhooks to {args.webhook_url or 'nowhere'}); "
        "Ctrl-C stops it.",
        file=sys.stderr,
        flush=True,
    )
    standin.serve_forever()


if __name__ == "__main__":
    main()
