"""`python -m mail_gateway` is `helpdesk gateway run` (extra arguments are passed on)."""

import sys

from helpdesk.cli import main

if __name__ == "__main__":
    main(args=["gateway", "run", *sys.argv[1:]], prog_name="python -m mail_gateway")
