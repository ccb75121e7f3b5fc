-- CLI fixture: os.exit with a code stops the script at once.
print("before exit")
os.exit(3)
print("never printed")
