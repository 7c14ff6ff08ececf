"""What a grading run gives people: grades.csv, totals and the LMS import file (grades, canvas), feedback
pages and their delivery (feedback), the class's common mistakes (misconceptions), alike answers
(similarity), and the table the commands print (table). It reads outcomes; it never grades.
"""
