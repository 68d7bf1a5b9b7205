# Turns the numbered migrations given as arguments into a C array, so the
# schema travels inside the binaries.  Usage: awk -f embed.awk sql/0*.sql
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
	line = $0
	gsub(/\\/, "\\\\", line)
	gsub(/"/, "\\\"", line)
	printf "\t  \"%s\\n\"\n", line
}
END {
	if (current != "")
		print "\t},"
	print "};"
	print "const size_t n_migrations = sizeof(migrations) / sizeof(migrations[0]);"
}
