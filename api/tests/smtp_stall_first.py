"""For Concord's worker tests: aiosmtpd's Mailbox handler, except that the first message's
DATA is never answered (its sender is killed meanwhile) and so never kept. The marker file
appears when that first message has arrived."""
import asyncio

from aiosmtpd.handlers import Mailbox


class StallFirst(Mailbox):
    def __init__(self, mail_dir, marker):
        super().__init__(mail_dir)
        self.marker = marker
        self.stalled = False

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 2:
            parser.error("StallFirst takes a maildir and a marker file")
        return cls(args[0], args[1])

    async def handle_DATA(self, server, session, envelope):
        if not self.stalled:
            self.stalled = True
            with open(self.marker, "w"):
                pass
            await asyncio.sleep(3600)
            return "451 Try again later"
        return await super().handle_DATA(server, session, envelope)
