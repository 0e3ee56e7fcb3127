"""投诉与意见 — villagers' complaints and comments on any record, with tracking codes and answers."""
