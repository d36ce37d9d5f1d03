"""E-mail drafting without Qt or the engine: reading a mail to reply to, writing drafts."""
