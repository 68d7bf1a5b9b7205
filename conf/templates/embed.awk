# Turns the message templates given as arguments (conf/templates/NAME.txt,
# NAME.html) into a C array, so the default texts travel inside the
# binaries and nothing depends on where they are installed.
# Usage: awk -f embed.awk conf/templates/*.txt conf/templates/*.html
BEGIN {
	print "/* Generated from conf/templates/ by conf/templates/embed.awk; do not edit. */"
	print "#include \"base/template.h\""
	print "const struct template_file template_builtins[] = {"
	current = ""
}
FNR == 1 {
	if (current != "")
		print "\t},"
	current = FILENAME
	name = FILENAME
	sub(/^.*\//, "", name)
	printf "\t{ \"%s\",\n", name
}
{
	line = $0
	gsub(/\\/, "\\\\", line)
	gsub(/"/, "\\\"", line)
	gsub(/\?\?/, "?\\?", line)
	printf "\t  \"%s\\n\"\n", line
}
END {
	if (current != "")
		print "\t},"
	print "};"
	print "const size_t n_template_builtins ="
	print "    sizeof(template_builtins) / sizeof(template_builtins[0]);"
}
