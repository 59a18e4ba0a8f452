"""The estate's ledger (业户台账): an office's Excel brought in, and the estate written out
in the same shape. ``sheets`` declares the sheets and columns, ``cells`` what a column
takes, ``workbook`` reads an upload safely and writes XLSX, ``plan`` decides what an
import would do, ``service`` previews, applies and exports over one transaction each."""
