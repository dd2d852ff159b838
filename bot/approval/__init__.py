"""The leader's review of each submitted report (R13, B04): the card, the click, the text
commands that stand in when a card can no longer change, and the card updates after."""
