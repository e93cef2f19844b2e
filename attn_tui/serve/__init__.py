"""`attn-tui serve`: a whole class on one machine over plain ssh, each student their own session.

Two processes. The *front* (:mod:`.front`, asyncssh) accepts connections, authenticates, refuses
everything but an interactive terminal and relays bytes. The *zygote* (:mod:`.zygote`) imported
torch, Textual and the app once, ran one computation and froze what it built; for each session it
forks a child onto a pseudo-terminal of its own (:mod:`.session`), which shows the numbers in a
fraction of a second and shares the zygote's memory until it writes to it.

`attn-tui serve --help` imports none of this: only :mod:`.options`.
"""
