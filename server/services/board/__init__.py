"""The notice board (公示栏): announcements, who has opened them, and the board a
resident reads (announcements, funds, the collection rate, matters resolved)."""
