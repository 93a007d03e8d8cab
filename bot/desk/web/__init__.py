"""The desk on the web: sign-in links, sessions and pages under /desk/."""
