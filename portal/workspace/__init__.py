"""The signed-in workspaces: staff write drafts (/staff/), the committee approves them (/committee/)."""
