"""The reference layers and update rules of several lessons under one name each, for tests that use them
together (they live in course_lib.reference, one module per lesson)."""

from __future__ import annotations

from types import SimpleNamespace

from course_lib.reference import lesson03, lesson04, lesson06, lesson07

layers = SimpleNamespace(**{name: getattr(module, name) for module in (lesson03, lesson06, lesson07)
                            for name in dir(module) if name.endswith(("_forward", "_backward", "_loss"))})
optim = lesson04
