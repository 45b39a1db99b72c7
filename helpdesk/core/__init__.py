"""What every service shares, below all of them: domain errors, the unit of work and its
events, the audit trail (about any record), typed-text and lookup checks, durable files and
the blob store, signed tokens and absolute links. Nothing here imports a service, the web
layer or the mail gateway.
"""
