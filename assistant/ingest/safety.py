"""Prompt-injection guard: a sentence that instructs a model (or the reader on its behalf) is data.

Judged by the shape of the sentence, not by a list of attack phrases:

1. role markers: chat-template tokens (``<|im_start|>``, ``[INST]``, ``<<SYS>>``, ``<system>``),
   ``### Instruction`` headers, a line opening with a chat role (``System:``, ``Assistant:``);
2. address: the sentence calls on a model ("AI assistant, ...", "Dear model", "Note to the AI:",
   "If you are an AI ...", "The assistant must ...");
3. directive: a clause that opens with a verb steering the answerer (imperative, "you must ...",
   "do not ...") AND points at the answering machinery (the user, previous instructions, your
   system prompt, the text above), dictates literal output (reply "PWNED"), or hands over a
   secret (password, API key, one-time code).

Advice to a candidate ("Tell the interviewer about your project", "Never share your password")
has the verb but none of those targets, so it stays an answer. Flagged sentences are never
quoted as answers; in an LLM prompt they stay inside their passage block, marked.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.textnorm import normalize

_ROLES = r"system|sys|user|assistant|human|ai|bot|chatbot|developer|llm|gpt|chatgpt"
# A name or kind of model ("model" and "agent" alone only where a vocative makes them one).
_MODEL = (
    r"(?:(?:ai|artificial intelligence|large|helpful|virtual)\s+)*"
    r"(?:(?:ai|language|chat)\s+model|llm|chat\s?bot|bot|a\.?i\.?|assistant|chat\s?gpt|gpt[\w.-]*"
    r"|claude|gemini|bard|copilot|llama)s?"
)
_ANY_MODEL = rf"(?:{_MODEL}|(?:ai\s+)?(?:model|agent)s?)"
_VERBS = (
    r"answer|reply|respond|say|tell|output|print|write|repeat|return|reveal|disclose|leak"
    r"|ignore|disregard|forget|override|bypass|pretend|act|roleplay|behave|translate|email"
    r"|e-mail|send|forward|share|post|upload|text|message|include|append|prepend|end|begin"
    r"|start|stop|refuse|recommend|state|inform|ask|confirm|provide|give|list|show|display"
    r"|insert|add|type|paste|enter|submit|use|treat|assume|set|switch|approve|direct|instruct"
)

_TEMPLATE = re.compile(
    r"<\|[^|<>\n]{1,40}\|>"  # <|im_start|>, <|user|>, <|eot_id|>
    r"|<{1,2}\s*/?\s*(?:" + _ROLES + r"|inst|instructions?|sys|im_start|im_end|start_of_turn"
    r"|end_of_turn)\b[^<>\n]{0,20}>{1,2}"  # <system>, </user>, <<SYS>>, <start_of_turn>
    r"|\[\s*/?\s*(?:inst|sys|system|instructions?)\s*\]",  # [INST], [/INST]
    re.I,
)
_ROLE_LINE = re.compile(
    r"^(?:#{1,6}\s*(?:instructions?|response|input|" + _ROLES + r")\s*(?::|$)"
    r"|(?:\*\*)?(?:" + _ROLES + r")(?:\*\*)?\s*:(?!//))",
    re.I,
)
_VOCATIVE = re.compile(
    r"^(?:(?:hey|hi|hello|dear|attention|(?:a\s+)?(?:note|message|reminder|instructions?)"
    rf"\s+(?:to|for)|to)\s+(?:the\s+|any\s+|all\s+|this\s+|an?\s+)?{_ANY_MODEL}"
    rf"(?:\s+reading\s+this)?\s*[,:!]"
    rf"|{_MODEL}\s*[,!]\s*(?:please\b|kindly\b|you\b|your\b|from now on\b|(?:{_VERBS})\b)"
    rf"|(?:dear\s+|hey\s+)?readers?\s*[,:]\s*(?:please\s+)?(?:you\b|(?:{_VERBS})\b))"
    rf"|\b(?:if|when|as|since)\s+(?:you\s+are\s+|you're\s+)?(?:an?|the)\s+{_MODEL}\b\s*(?:,|you\b)"
    rf"|\b(?:the|this|any|every)\s+{_MODEL}\s+(?:must|should|shall|will|is to|needs to|has to)"
    rf"\s+(?:(?:now|only|always|never|not|also)\s+)*(?:{_VERBS})\b"
    rf"|\b(?:new\s+)?(?:instructions?|directives?|orders)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?"
    rf"{_ANY_MODEL}\b",
    re.I,
)
_HEAD = re.compile(
    r"^(?:(?:please|kindly|now|then|also|always|only|just|simply|immediately|instead|first"
    r"|finally|from now on|so)\s+)*"
    r"(?P<neg>(?:(?:you|u)\s+(?:must|should|shall|will|need to|have to|are to|are required to"
    r"|'ll|can|may)\s+(?:(?:now|only|always|never|not|also|instead)\s+)*"
    r"|(?:do not|don't|never|must not)\s+)?)"
    rf"(?:{_VERBS})\b",
    re.I,
)
_CLAUSES = re.compile(r"[,;:.!?()\[\]]|\s(?:and|then|but|or|instead)\s")
# What makes a directive one for the answerer rather than advice to a candidate.
_MACHINERY = re.compile(
    r"\bthe\s+users?(?:'s?\s+(?:question|query|prompt|request|message|password|credentials"
    r"|data|chat|conversation|email|history|account)s?\b|(?=\s+(?:to|that|asks?|says?|wants?"
    r"|types?|writes?)\b|\s*[,.;:!?]|\s*$))"
    r"|\bthe\s+readers?(?=\s+(?:to|that)\b|\s*[,.;:!?]|\s*$)"
    r"|\b(?:previous|prior|above|earlier|preceding|original|initial|hidden|secret|system)\s+"
    r"(?:instructions?|prompts?|messages?|context|rules|directions|guidelines|passages|text)\b"
    r"|\byour\s+(?:instructions|guidelines|rules|system prompt|prompt|programming|configuration"
    r"|config|training|context(?:\s+window)?|directives|policies|guardrails|filters|restrictions"
    r"|creators?|developers?)\b"
    r"|\b(?:all|any)\s+(?:of\s+)?(?:the\s+)?(?:prior\s+|previous\s+|other\s+)?(?:instructions"
    r"|prompts|guidelines|guardrails|restrictions|rules)\b"
    r"|\b(?:everything|anything)\s+(?:above|before|previously|else\s+above)\b"
    r"|\b(?:passages?|documents?|context|text|question|instructions|messages?)\s+above\b"
    r"|\bsystem prompt\b|\b(?:chat|conversation)\s+history\b|\bthis\s+conversation\b",
    re.I,
)
_SECRET = re.compile(
    r"\b(?:passwords?|passcodes?|passphrases?|credentials?|log-?in(?:\s+details)?|api[\s_-]?keys?"
    r"|access\s+tokens?|secret\s+keys?|private\s+keys?|ssn|social\s+security|one-time\s+"
    r"(?:code|password|pin)s?|otp|2fa(?:\s+code)?|verification\s+codes?|security\s+codes?|pin"
    r"|bank\s+(?:account|details)|credit\s+cards?|card\s+numbers?|seed\s+phrases?)\b",
    re.I,
)
_ADDRESS = re.compile(r"\S+@\S+\.\w+|https?://|\bwww\.|\+?\d[\d\s().-]{7,}\d")
_YOUR_OUTPUT = re.compile(r"\byour\s+(?:answers?|repl(?:y|ies)|responses?|outputs?)\b", re.I)
# Output dictated word for word: reply "PWNED", answer YES, respond 'ACCESS DENIED' to each query.
_LITERAL = re.compile(
    r"\b(?:answer|reply|respond|say|output|print|write|return|state)\w*\b"
    r"(?:[^\n.;!?:\"']{0,40}?\swith\b)?"  # a scope first: reply to every question with ...
    r"(?:\s+(?:only|exactly|simply|just|with|back|always|the\s+(?:word|phrase|string|text)))*"
    r"\s*[:-]?\s*(?:(?P<quoted>\"[^\"\n]{1,60}\"|'[^'\n]{1,60}')"
    r"|(?-i:[A-Z][A-Z0-9_!]{2,}(?:\s+[A-Z][A-Z0-9_!]+)*)"
    r"(?=\s*(?:[.!;,]|$|and\s+(?:nothing|only)|(?:to|for|in)\s+(?:every|all|any|each)"
    r"|no matter)))",
    re.I,
)
_EVERY = re.compile(
    r"\b(?:every|all|any|each)\s+(?:\w+\s+)?(?:questions?|quer(?:y|ies)|prompts?|messages?"
    r"|requests?|times?)\b|\bno matter\b|\bwhatever\b",
    re.I,
)
_LEADING = re.compile(r"^[\s\-*•>\"'(]+")


def _directives(text: str) -> list[bool]:
    """For each clause that opens with a steering verb: whether it is negated ('do not ...')."""
    found = []
    for clause in _CLAUSES.split(text):
        head = _HEAD.match(_LEADING.sub("", clause))
        if head:
            found.append(bool(re.search(r"\b(?:not|don't|never)\b", head.group("neg"), re.I)))
    return found


@lru_cache(maxsize=8192)
def injection_reason(text: str) -> str | None:
    """Why the text is an instruction aimed at a model rather than information, or None."""
    text = normalize(text).strip()
    if _TEMPLATE.search(text):
        return "chat-template token"
    bare = _LEADING.sub("", text)
    if _ROLE_LINE.match(bare):
        return "role marker"
    if _VOCATIVE.search(bare):
        return "addresses a model"
    directives = _directives(bare)
    if not directives:
        return None
    if _MACHINERY.search(bare):
        return "directs the answerer"
    if not all(directives) and _SECRET.search(bare):
        return "asks for a secret"
    if _YOUR_OUTPUT.search(bare) and _ADDRESS.search(bare):
        return "plants a link or address in the answer"
    literal = _LITERAL.search(bare)  # a quoted reply may be advice ('say "I don't know"')
    if literal and (not literal.group("quoted") or _EVERY.search(bare)):
        return "dictates the output"
    return None


def looks_like_injection(text: str) -> bool:
    """True for text that tries to instruct the model rather than inform the reader."""
    return injection_reason(text) is not None
