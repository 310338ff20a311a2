/*
 * cp.c: copies files, as GNU cp does: `cp SRC DST` (DST a new or existing
 * file, or an existing directory to copy into) and `cp SRC... DIR`. -r/-R
 * copies directories with everything in them, symbolic links as links (a
 * command-line link too); without it a directory is skipped with a message
 * and a command-line link is followed. -p keeps modes and access and
 * modification times (not owners: the glue has no chown), -a is -rp, and -f
 * removes a destination file that cannot be opened and tries again. Special
 * files (fifos, devices, sockets) are not copied: the glue has no mknod.
 * Errors print `cp: ...` on stderr and make the exit status 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_tree.h"
#include "options.h"

int main(int argc, char **argv)
{
	struct tree_options o = { .program = "cp", .follow_top = 1 };
	int target_is_dir;
	struct short_options s = SHORT_OPTIONS(argc, argv);
	int status = 0;
	int c, i;

	while ((c = next_option(&s)) != 0) {
		switch (c) {
		case 'a': /* -rp */
			o.preserve = 1;
			/* fall through */
		case 'r':
		case 'R':
			o.recursive = 1;
			o.follow_top = 0;
			break;
		case 'p':
			o.preserve = 1;
			break;
		case 'f':
			o.force = 1;
			break;
		default:
			return invalid_option("cp", c);
		}
	}
	i = s.index;
	if (tree_operands("cp", argc - i, argv + i, &target_is_dir) < 0)
		return 1;
	for (; i < argc - 1; i++) {
		char *dst = tree_destination("cp", argv[i], argv[argc - 1], target_is_dir);

		if (dst == NULL || tree_copy(&o, argv[i], dst, 1) != 0)
			status = 1;
		free(dst);
	}
	return status;
}
