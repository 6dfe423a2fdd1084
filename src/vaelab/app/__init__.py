"""The Streamlit web app: pages hold widgets and layout; every computation is in the package."""
