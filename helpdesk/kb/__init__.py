"""The knowledge base: articles (service, queries), their Whoosh index, and search.

Writers call helpdesk.kb.service; readers use helpdesk.kb.search (ranked search,
suggestions for a text, related articles) and helpdesk.reads.kb_articles (browse, history).
Importing this package installs the hooks that keep the index in step with commits.
"""

from helpdesk.kb import hooks

hooks.install()
