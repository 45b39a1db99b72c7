"""`python -m helpdesk` is the `helpdesk` command (quickstart starts its helpers this way)."""

from helpdesk.cli import main

if __name__ == "__main__":
    main(prog_name="helpdesk")
