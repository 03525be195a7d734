"""Practical 2: transfer learning (r000 section 3, r001 exercise 3, r003 exercise 3, r004).

So far: the 10 Monkey Species data artifacts (r004-F6, r004-F7). The
transfer-learning builders and experiments are tracked in the project's issues.
"""
