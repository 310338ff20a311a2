/*
 * empty.c (bench_empty): does nothing, so its run time is the cost of
 * loading a program, starting it and exiting.
 */
int main(void)
{
	return 0;
}
