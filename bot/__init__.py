"""thidua-bot: a Telegram bot for emulation campaigns (phong trào thi đua)."""
