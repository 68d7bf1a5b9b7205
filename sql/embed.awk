# Turns the numbered migrations given as arguments into a C array, so the
# schema travels inside the binaries.
# Usage: awk -f mk/c_string.awk -f sql/embed.awk sql/0*.sql
BEGIN {
	print "/* Generated from the migrations in sql/ by sql/embed.awk; do not edit. */"
	print "#include \"store/db.h\""
	print "const struct migration migrations[] = {"
	current = ""
}
FNR == 1 {
	if (current != "")
		print "\t},"
	current = FILENAME
	name = FILENAME
	sub(/^.*\//, "", name)
	printf "\t{ %d, \"%s\",\n", substr(name, 1, 4) + 0, name
}
{
	printf "\t  \"%s\\n\"\n", c_string($0)
}
END {
	if (current != "")
		print "\t},"
	print "};"
	print "const size_t n_migrations = sizeof(migrations) / sizeof(migrations[0]);"
}
