"""Drafts (草稿): records staff prepare in private, submit, and publish once a committee member approves."""
