"""Read models: the queries pages, commands and exports read incidents and articles through
(queues and their counts, search by reference or words, mail awaiting review, a requester's
own incidents, the knowledge base's lists, the JSONL export). They never write; views call
them and render.
"""
