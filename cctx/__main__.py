from cctx.cli import main

main()
