"""The fixed category ids of the guidance (../shared/guidance/CATEGORIES.md) and their severities.

Kept in the compiler so builds do not depend on a file outside the repository; a test checks that this
table still agrees with CATEGORIES.md.
"""

CATEGORIES: dict[str, str] = {
    "suicide-language": "warning",
    "stigmatizing-labels": "warning",
    "mockery": "warning",
    "method-details": "alert",
    "glorification": "warning",
    "single-cause": "warning",
    "simplistic-reassurance": "warning",
    "discouraging-help": "warning",
    "privacy-rumour": "warning",
    "ed-numbers": "warning",
    "ed-behaviours": "warning",
    "before-after": "warning",
    "warning-signs": "alert",
    "reply-support": "suggestion",
    "relief-response": "warning",
    "helpline-suggestion": "suggestion",
    "recovery-hashtag": "suggestion",
}

SEVERITIES = ("alert", "warning", "suggestion")
LANGUAGES = ("da", "en")
