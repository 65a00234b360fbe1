"""The network (issue 13): the directorate, provinces and offices in one database, and the
shipments of blanks between their ledgers (docs/network.md).

    organisation  the directorate as a ledger holder; the list of directorate, provinces and
                  offices with their stock
    shipments     send (out of the sender's stock into transit), receive (in full, short,
                  damaged), list and show
    audit         the network check of `stock verify --network`
"""
