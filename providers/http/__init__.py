"""What every HTTP adapter shares: OAuth2 client credentials, error translation, fan-out."""
