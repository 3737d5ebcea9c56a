"""Petitions: a resident's idea gathers supporters, passes moderation, collects signatures and gets the akimat's answer."""
