"""Partner engagements: meetings, memoranda and agreements with foreign authorities."""
